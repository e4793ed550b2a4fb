"""initial schema: communities, posts, practice profile

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-24

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("advice_allowed", sa.Boolean(), nullable=True),
        sa.Column("self_promotion_allowed", sa.Boolean(), nullable=True),
        sa.Column("signature_links_allowed", sa.Boolean(), nullable=True),
        sa.Column("promotion_ratio_limit_pct", sa.Integer(), nullable=True),
        sa.Column("rules_summary", sa.Text(), nullable=True),
        sa.Column("rules_url", sa.String(length=500), nullable=True),
        sa.Column("intake_code", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "platform IN ('reddit', 'facebook', 'forum', 'qa_site', 'social_network', 'other')",
            name=op.f("ck_communities_platform"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'archived')", name=op.f("ck_communities_status")
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_communities_name_not_blank")),
        sa.CheckConstraint(
            "promotion_ratio_limit_pct IS NULL OR (promotion_ratio_limit_pct >= 0 AND promotion_ratio_limit_pct <= 100)",
            name=op.f("ck_communities_promotion_ratio"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communities")),
    )
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.create_index("ix_communities_platform", ["platform"], unique=False)
        batch_op.create_index("ix_communities_status_name", ["status", "name"], unique=False)
    # Names and intake codes are unique whatever their case (autogenerate cannot
    # see expression indexes on SQLite, so these are written by hand).
    op.create_index("uq_communities_name_ci", "communities", [sa.text("lower(name)")], unique=True)
    op.create_index(
        "uq_communities_intake_code_ci", "communities", [sa.text("upper(intake_code)")], unique=True
    )

    op.create_table(
        "practice_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_name", sa.String(length=200), nullable=False),
        sa.Column("specialty", sa.String(length=200), nullable=False),
        sa.Column("licensed_jurisdictions", sa.String(length=500), nullable=False),
        sa.Column("hourly_rate_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fee_per_visit_cents", sa.Integer(), nullable=False),
        sa.Column("visits_per_year", sa.Float(), nullable=False),
        sa.Column("years_retained", sa.Float(), nullable=False),
        sa.Column("intake_form_url", sa.String(length=500), nullable=False),
        sa.Column("disclaimer", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("welcome_done", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "hourly_rate_cents >= 0 AND fee_per_visit_cents >= 0 AND visits_per_year >= 0 AND years_retained >= 0",
            name=op.f("ck_practice_profile_non_negative"),
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_practice_profile_single_row")),
        sa.CheckConstraint("length(currency) = 3", name=op.f("ck_practice_profile_currency_code")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_profile")),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("minutes_spent", sa.Integer(), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False),
        sa.Column("reactions", sa.Integer(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("check_status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "check_status IN ('not_required', 'unchecked', 'checked')",
            name=op.f("ck_posts_check_status"),
        ),
        sa.CheckConstraint(
            "kind = 'advice' OR check_status = 'not_required'",
            name=op.f("ck_posts_check_only_for_advice"),
        ),
        sa.CheckConstraint(
            "kind IN ('advice', 'education', 'answer', 'promotion', 'announcement')",
            name=op.f("ck_posts_kind"),
        ),
        sa.CheckConstraint("source IN ('manual', 'import', 'demo')", name=op.f("ck_posts_source")),
        sa.CheckConstraint(
            "minutes_spent >= 0 AND replies >= 0 AND reactions >= 0 AND views >= 0 AND clicks >= 0",
            name=op.f("ck_posts_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_posts_community_id_communities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_check_status", ["check_status"], unique=False)
        batch_op.create_index("ix_posts_clicks", ["clicks"], unique=False)
        batch_op.create_index(
            "ix_posts_community_posted", ["community_id", "posted_at"], unique=False
        )
        batch_op.create_index("ix_posts_kind_posted", ["kind", "posted_at"], unique=False)
        batch_op.create_index("ix_posts_minutes", ["minutes_spent"], unique=False)
        batch_op.create_index("ix_posts_posted_at", ["posted_at"], unique=False)
        batch_op.create_index("ix_posts_reactions", ["reactions"], unique=False)
        batch_op.create_index("ix_posts_replies", ["replies"], unique=False)
        batch_op.create_index("ix_posts_title", ["title"], unique=False)
        batch_op.create_index("ix_posts_views", ["views"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_views")
        batch_op.drop_index("ix_posts_title")
        batch_op.drop_index("ix_posts_replies")
        batch_op.drop_index("ix_posts_reactions")
        batch_op.drop_index("ix_posts_posted_at")
        batch_op.drop_index("ix_posts_minutes")
        batch_op.drop_index("ix_posts_kind_posted")
        batch_op.drop_index("ix_posts_community_posted")
        batch_op.drop_index("ix_posts_clicks")
        batch_op.drop_index("ix_posts_check_status")

    op.drop_table("posts")
    op.drop_table("practice_profile")
    op.drop_index("uq_communities_intake_code_ci", table_name="communities")
    op.drop_index("uq_communities_name_ci", table_name="communities")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_index("ix_communities_status_name")
        batch_op.drop_index("ix_communities_platform")

    op.drop_table("communities")
