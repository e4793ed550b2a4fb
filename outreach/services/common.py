"""Small pieces every service shares: paging, text clean-up, permission checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import or_

from ..context import Actor
from ..errors import OutreachError

T = TypeVar("T")
MAX_PAGE = 1000


class PermissionDenied(OutreachError):
    pass


def require_owner(actor: Actor, action: str) -> None:
    if not actor.is_owner:
        raise PermissionDenied(f"Only the practitioner can {action}; ask them to do it.")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.rows) < self.total


def clean(text: str | None) -> str:
    return (text or "").strip()


def clamp_limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clause(search: str, *columns):
    """Every word must appear in one of the columns (case-insensitive)."""
    clauses = []
    for word in clean(search).split():
        pattern = like_pattern(word.lower())
        clauses.append(or_(*(col.ilike(pattern, escape="\\") for col in columns)))
    return clauses


def valid_url(url: str) -> bool:
    return url.startswith(("http://", "https://")) and "." in url and " " not in url
