"""trust: users and roles, the audit trail, sign-in, auto-lock and backup settings

Revision ID: 0004_trust
Revises: 0003_compliance
Create Date: 2026-11-25

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_trust"
down_revision: str | Sequence[str] | None = "0003_compliance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_ids", sa.Text(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("record_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_events_entity", ["entity", "at"], unique=False)
        batch_op.create_index("ix_audit_events_user", ["user_id", "at"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("password_hash", sa.String(length=400), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'staff')", name=op.f("ck_users_role")),
        sa.CheckConstraint("length(trim(username)) > 0", name=op.f("ck_users_username_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    # Usernames are unique whatever their case (an expression index, by hand).
    op.create_index("uq_users_username_ci", "users", [sa.text("lower(username)")], unique=True)

    with op.batch_alter_table("practice_profile", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sign_in_required", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("auto_lock_minutes", sa.Integer(), server_default="10", nullable=False)
        )
        batch_op.add_column(
            sa.Column("backup_keep_daily", sa.Integer(), server_default="14", nullable=False)
        )
        batch_op.add_column(
            sa.Column("backup_keep_monthly", sa.Integer(), server_default="12", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_practice_profile_trust_settings"),
            "auto_lock_minutes >= 0 AND backup_keep_daily >= 1 AND backup_keep_monthly >= 0",
        )


def downgrade() -> None:
    with op.batch_alter_table("practice_profile", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_practice_profile_trust_settings"), type_="check")
        batch_op.drop_column("backup_keep_monthly")
        batch_op.drop_column("backup_keep_daily")
        batch_op.drop_column("auto_lock_minutes")
        batch_op.drop_column("sign_in_required")
    op.drop_index("uq_users_username_ci", table_name="users")
    op.drop_table("users")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_user")
        batch_op.drop_index("ix_audit_events_entity")
        batch_op.drop_index("ix_audit_events_at")
    op.drop_table("audit_events")
