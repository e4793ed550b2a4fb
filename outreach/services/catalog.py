"""The starter catalog of well-known patient communities shipped in resources/."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select

from ..context import Actor
from ..models import Community
from ..paths import resource
from ..store import Store
from .communities import CommunityData, create_community

CATALOG_FILE = "community_catalog.json"


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    platform: str
    url: str
    topic: str
    advice_allowed: bool | None
    self_promotion_allowed: bool | None
    signature_links_allowed: bool | None
    promotion_ratio_limit_pct: int | None
    rules_summary: str
    rules_url: str | None

    def data(self) -> CommunityData:
        return CommunityData(
            name=self.name,
            platform=self.platform,
            url=self.url,
            topic=self.topic,
            advice_allowed=self.advice_allowed,
            self_promotion_allowed=self.self_promotion_allowed,
            signature_links_allowed=self.signature_links_allowed,
            promotion_ratio_limit_pct=self.promotion_ratio_limit_pct,
            rules_summary=self.rules_summary,
            rules_url=self.rules_url or "",
        )


@lru_cache(maxsize=1)
def load_catalog() -> tuple[CatalogEntry, ...]:
    with open(resource(CATALOG_FILE), encoding="utf-8") as handle:
        raw = json.load(handle)
    return tuple(CatalogEntry(**entry) for entry in raw["communities"])


def present_names(store: Store) -> set[str]:
    with store.session() as session:
        return set(session.scalars(select(func.lower(Community.name))))


def add_from_catalog(store: Store, actor: Actor, names: list[str]) -> list[int]:
    """Add the named catalog entries; names already in the database are skipped."""
    wanted = {name.lower() for name in names}
    present = present_names(store)
    added = []
    for entry in load_catalog():
        key = entry.name.lower()
        if key in wanted and key not in present:
            added.append(create_community(store, actor, entry.data()))
            present.add(key)
    return added
