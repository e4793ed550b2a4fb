"""compliance gate: policy profile, checklist versions, the evidence ledger

Revision ID: 0003_compliance
Revises: 0002_contacts
Create Date: 2026-11-25

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_compliance"
down_revision: str | Sequence[str] | None = "0002_contacts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "check_status IN ('not_required', 'unchecked', 'checked')"
NEW_STATUSES = "check_status IN ('not_required', 'unchecked', 'checked', 'changed')"


def upgrade() -> None:
    op.create_table(
        "chain_heads",
        sa.Column("chain", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_chain_heads")),
    )
    op.create_table(
        "checklist_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_checklist_versions_version")),
    )
    op.create_table(
        "compliance_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("checklist_version", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("record_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_checks")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("compliance_checks", schema=None) as batch_op:
        batch_op.create_index("ix_compliance_checks_checked_at", ["checked_at"], unique=False)
        batch_op.create_index(
            "ix_compliance_checks_community", ["community_id", "checked_at"], unique=False
        )
        batch_op.create_index("ix_compliance_checks_text_hash", ["text_hash"], unique=False)

    op.create_table(
        "checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("help", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "length(trim(text)) > 0", name=op.f("ck_checklist_items_text_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["checklist_versions.id"],
            name=op.f("fk_checklist_items_version_id_checklist_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_items")),
    )
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checklist_items_version_position", ["version_id", "position"], unique=False
        )
        batch_op.create_index("uq_checklist_items_version_key", ["version_id", "key"], unique=True)

    # Nothing could pass the gate before it existed: a "checked" post has no
    # evidence behind it, so it is counted as not checked.
    op.execute("UPDATE posts SET check_status = 'unchecked' WHERE check_status = 'checked'")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_posts_check_id", ["check_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_posts_check_id_compliance_checks"),
            "compliance_checks",
            ["check_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.drop_constraint(batch_op.f("ck_posts_check_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_posts_check_status"), NEW_STATUSES)

    with op.batch_alter_table("practice_profile", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("insurer", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("policy_number", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("policy_renewal_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "online_cover", sa.String(length=20), server_default="unknown", nullable=False
            )
        )
        batch_op.add_column(sa.Column("online_cover_confirmed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("scope_of_practice", sa.Text(), server_default="", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_practice_profile_online_cover"),
            "online_cover IN ('unknown', 'none', 'general_information', 'advice')",
        )


def downgrade() -> None:
    with op.batch_alter_table("practice_profile", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_practice_profile_online_cover"), type_="check")
        batch_op.drop_column("scope_of_practice")
        batch_op.drop_column("online_cover_confirmed_on")
        batch_op.drop_column("online_cover")
        batch_op.drop_column("policy_renewal_on")
        batch_op.drop_column("policy_number")
        batch_op.drop_column("insurer")

    op.execute(
        "UPDATE posts SET check_status = 'unchecked' WHERE check_status IN ('changed', 'checked')"
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_posts_check_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_posts_check_status"), OLD_STATUSES)
        batch_op.drop_constraint(
            batch_op.f("fk_posts_check_id_compliance_checks"), type_="foreignkey"
        )
        batch_op.drop_index("ix_posts_check_id")
        batch_op.drop_column("check_id")

    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_index("uq_checklist_items_version_key")
        batch_op.drop_index("ix_checklist_items_version_position")
    op.drop_table("checklist_items")
    with op.batch_alter_table("compliance_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_compliance_checks_text_hash")
        batch_op.drop_index("ix_compliance_checks_community")
        batch_op.drop_index("ix_compliance_checks_checked_at")
    op.drop_table("compliance_checks")
    op.drop_table("checklist_versions")
    op.drop_table("chain_heads")
