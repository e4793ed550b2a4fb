"""SQLAlchemy models: the nouns of ARCHITECTURE.md. Importing this package
registers every table on Base.metadata (Alembic's autogenerate relies on it)."""

from .base import Base, UTCDateTime
from .community import COMMUNITY_STATUSES, PLATFORMS, Community
from .compliance import (
    ChainHead,
    ChecklistItem,
    ChecklistVersion,
    ComplianceCheck,
    FigureCache,
)
from .contact import (
    ATTRIBUTION_METHODS,
    CHANNELS,
    OPEN_STAGES,
    STAGES,
    CommunityAlias,
    Contact,
    ContactMerge,
    Interaction,
    StageChange,
)
from .post import CHECK_STATUSES, ENGAGEMENT, POST_KINDS, POST_SOURCES, Post
from .profile import ONLINE_COVER, PracticeProfile
from .referral import INTAKE_QUESTIONS, CostEntry, Referral, RevenueEntry
from .user import ROLES, AuditEvent, User

__all__ = [
    "Base",
    "UTCDateTime",
    "Community",
    "Post",
    "PracticeProfile",
    "PLATFORMS",
    "COMMUNITY_STATUSES",
    "POST_KINDS",
    "CHECK_STATUSES",
    "POST_SOURCES",
    "ENGAGEMENT",
    "Contact",
    "ContactMerge",
    "StageChange",
    "Interaction",
    "CommunityAlias",
    "Referral",
    "RevenueEntry",
    "CostEntry",
    "STAGES",
    "OPEN_STAGES",
    "CHANNELS",
    "ATTRIBUTION_METHODS",
    "INTAKE_QUESTIONS",
    "ChecklistVersion",
    "ChecklistItem",
    "ComplianceCheck",
    "ChainHead",
    "FigureCache",
    "ONLINE_COVER",
    "User",
    "AuditEvent",
    "ROLES",
]
