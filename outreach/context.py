"""Who is acting. Every service receives one, so permission checks and the
audit trail have a single place to hook in once accounts exist."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("owner", "staff")
ROLE_LABELS = {"owner": "Practitioner (owner)", "staff": "Office staff"}


@dataclass(frozen=True)
class Actor:
    name: str = "Practitioner"
    role: str = "owner"
    user_id: int | None = None

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


PRACTITIONER = Actor()
