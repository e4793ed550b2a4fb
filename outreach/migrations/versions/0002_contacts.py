"""contacts, stage history, interactions, referrals, revenue and costs

Revision ID: 0002_contacts
Revises: 0001_initial
Create Date: 2026-11-24

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002_contacts"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "community_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "length(trim(alias)) > 0", name=op.f("ck_community_aliases_alias_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_aliases_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_aliases")),
    )
    with op.batch_alter_table("community_aliases", schema=None) as batch_op:
        batch_op.create_index("ix_community_aliases_community", ["community_id"], unique=False)

    op.create_table(
        "cost_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount_cents >= 0", name=op.f("ck_cost_entries_amount_non_negative")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_cost_entries_community_id_communities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_entries")),
    )
    with op.batch_alter_table("cost_entries", schema=None) as batch_op:
        batch_op.create_index("ix_costs_community", ["community_id", "spent_on"], unique=False)
        batch_op.create_index("ix_costs_spent", ["spent_on"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("phone_digits", sa.String(length=30), nullable=True),
        sa.Column("location", sa.String(length=100), nullable=False),
        sa.Column("tags", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("first_community_id", sa.Integer(), nullable=True),
        sa.Column("first_post_id", sa.Integer(), nullable=True),
        sa.Column("attributed_community_id", sa.Integer(), nullable=True),
        sa.Column("attribution_method", sa.String(length=10), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("stage_changed_at", sa.DateTime(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("last_interaction_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "attribution_method IS NULL OR attribution_method IN ('met', 'code', 'source', 'manual')",
            name=op.f("ck_contacts_attribution_method"),
        ),
        sa.CheckConstraint(
            "stage IN ('engaged', 'inquired', 'intake_sent', 'intake_completed', 'booked', 'patient', 'lost', 'not_a_fit')",
            name=op.f("ck_contacts_stage"),
        ),
        sa.CheckConstraint(
            "(attributed_community_id IS NULL) = (attribution_method IS NULL)",
            name=op.f("ck_contacts_attribution_pair"),
        ),
        sa.CheckConstraint(
            "length(handle) + length(name) + length(email) + length(phone) > 0",
            name=op.f("ck_contacts_identifiable"),
        ),
        sa.ForeignKeyConstraint(
            ["attributed_community_id"],
            ["communities.id"],
            name=op.f("fk_contacts_attributed_community_id_communities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["first_community_id"],
            ["communities.id"],
            name=op.f("fk_contacts_first_community_id_communities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["first_post_id"],
            ["posts.id"],
            name=op.f("fk_contacts_first_post_id_posts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_attributed", ["attributed_community_id"], unique=False)
        batch_op.create_index("ix_contacts_created", ["created_at"], unique=False)
        batch_op.create_index("ix_contacts_email_key", ["email_key"], unique=False)
        batch_op.create_index("ix_contacts_first_community", ["first_community_id"], unique=False)
        batch_op.create_index("ix_contacts_follow_up", ["follow_up_on"], unique=False)
        batch_op.create_index("ix_contacts_handle", ["handle"], unique=False)
        batch_op.create_index("ix_contacts_last_interaction", ["last_interaction_at"], unique=False)
        batch_op.create_index("ix_contacts_name", ["name"], unique=False)
        batch_op.create_index("ix_contacts_phone_digits", ["phone_digits"], unique=False)
        batch_op.create_index("ix_contacts_stage", ["stage", "stage_changed_at"], unique=False)

    op.create_table(
        "contact_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_contact_id", sa.Integer(), nullable=False),
        sa.Column("merged_summary", sa.String(length=800), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("merged_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["kept_contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_merges_kept_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_merges")),
    )
    with op.batch_alter_table("contact_merges", schema=None) as batch_op:
        batch_op.create_index("ix_contact_merges_kept", ["kept_contact_id"], unique=False)

    op.create_table(
        "interactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('community_reply', 'direct_message', 'email', 'phone', 'meeting')",
            name=op.f("ck_interactions_channel"),
        ),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_interactions_minutes_non_negative")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_interactions_community_id_communities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_interactions_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_interactions_post_id_posts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interactions_community", ["community_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_interactions_contact", ["contact_id", "occurred_at"], unique=False
        )

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("source_text", sa.String(length=500), nullable=False),
        sa.Column("intake_code", sa.String(length=32), nullable=False),
        sa.Column("answer_useful", sa.Text(), nullable=False),
        sa.Column("answer_better", sa.Text(), nullable=False),
        sa.Column("answer_where", sa.Text(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=True),
        sa.Column("first_visit_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "completed_on IS NULL OR sent_on IS NULL OR completed_on >= sent_on",
            name=op.f("ck_referrals_completed_after_sent"),
        ),
        sa.CheckConstraint(
            "first_visit_on IS NULL OR booked_on IS NULL OR first_visit_on >= booked_on",
            name=op.f("ck_referrals_visit_after_booking"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_referrals_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_referrals_contact_id")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index("ix_referrals_completed", ["completed_on"], unique=False)
        batch_op.create_index("ix_referrals_first_visit", ["first_visit_on"], unique=False)
        batch_op.create_index("ix_referrals_sent", ["sent_on"], unique=False)

    op.create_table(
        "revenue_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "amount_cents >= 0", name=op.f("ck_revenue_entries_amount_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_revenue_entries_contact_id_contacts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_entries")),
    )
    with op.batch_alter_table("revenue_entries", schema=None) as batch_op:
        batch_op.create_index("ix_revenue_contact", ["contact_id", "received_on"], unique=False)
        batch_op.create_index("ix_revenue_received", ["received_on"], unique=False)

    op.create_table(
        "stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=True),
        sa.Column("to_stage", sa.String(length=20), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "from_stage IS NULL OR from_stage IN ('engaged', 'inquired', 'intake_sent', 'intake_completed', 'booked', 'patient', 'lost', 'not_a_fit')",
            name=op.f("ck_stage_changes_from_stage"),
        ),
        sa.CheckConstraint(
            "to_stage IN ('engaged', 'inquired', 'intake_sent', 'intake_completed', 'booked', 'patient', 'lost', 'not_a_fit')",
            name=op.f("ck_stage_changes_to_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_stage_changes_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_changes")),
    )
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stage_changes_contact", ["contact_id", "changed_at"], unique=False
        )
        batch_op.create_index("ix_stage_changes_to_stage", ["to_stage", "changed_at"], unique=False)

    with op.batch_alter_table("practice_profile", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("losing_touch_days", sa.Integer(), server_default="30", nullable=False)
        )
        # Autogenerate does not compare CHECK constraints; this one is written by hand.
        batch_op.create_check_constraint("losing_touch_days", "losing_touch_days >= 1")


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("practice_profile", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_practice_profile_losing_touch_days"), type_="check")
        batch_op.drop_column("losing_touch_days")

    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_changes_to_stage")
        batch_op.drop_index("ix_stage_changes_contact")

    op.drop_table("stage_changes")
    with op.batch_alter_table("revenue_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_revenue_received")
        batch_op.drop_index("ix_revenue_contact")

    op.drop_table("revenue_entries")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_sent")
        batch_op.drop_index("ix_referrals_first_visit")
        batch_op.drop_index("ix_referrals_completed")

    op.drop_table("referrals")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_contact")
        batch_op.drop_index("ix_interactions_community")

    op.drop_table("interactions")
    with op.batch_alter_table("contact_merges", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_merges_kept")

    op.drop_table("contact_merges")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_stage")
        batch_op.drop_index("ix_contacts_phone_digits")
        batch_op.drop_index("ix_contacts_name")
        batch_op.drop_index("ix_contacts_last_interaction")
        batch_op.drop_index("ix_contacts_handle")
        batch_op.drop_index("ix_contacts_follow_up")
        batch_op.drop_index("ix_contacts_first_community")
        batch_op.drop_index("ix_contacts_email_key")
        batch_op.drop_index("ix_contacts_created")
        batch_op.drop_index("ix_contacts_attributed")

    op.drop_table("contacts")
    with op.batch_alter_table("cost_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_costs_spent")
        batch_op.drop_index("ix_costs_community")

    op.drop_table("cost_entries")
    with op.batch_alter_table("community_aliases", schema=None) as batch_op:
        batch_op.drop_index("ix_community_aliases_community")

    op.drop_table("community_aliases")
