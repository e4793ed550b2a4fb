"""The pre-post checklist: versioned, so a check keeps the wording it was made against."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy import func, select

from ..context import Actor
from ..errors import NotFound, ValidationError
from ..models import ChecklistItem, ChecklistVersion
from ..store import Store
from ..timeutil import now_utc
from .common import clean, require_owner

MAX_ITEMS = 40


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    help: str = ""
    required: bool = True


@dataclass(frozen=True)
class Checklist:
    version: int
    items: tuple[Item, ...]
    created_by: str = ""

    @property
    def required_keys(self) -> list[str]:
        return [item.key for item in self.items if item.required]


@cache
def default_items() -> tuple[Item, ...]:
    data = json.loads(
        resources.files("outreach.resources").joinpath("default_checklist.json").read_text("utf-8")
    )
    return tuple(Item(**item) for item in data["items"])


def _load(session, version: ChecklistVersion) -> Checklist:
    items = session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.version_id == version.id)
        .order_by(ChecklistItem.position)
    ).all()
    return Checklist(
        version=version.version,
        items=tuple(Item(i.key, i.text, i.help, i.required) for i in items),
        created_by=version.created_by,
    )


def current_in(session) -> Checklist:
    """The newest version; the first call writes the default list as version 1."""
    newest = session.scalars(
        select(ChecklistVersion).order_by(ChecklistVersion.version.desc()).limit(1)
    ).first()
    if newest is None:
        newest = _write(session, 1, default_items(), "Outreach", "the default checklist")
    return _load(session, newest)


def current_checklist(store: Store) -> Checklist:
    with store.session() as session:
        return current_in(session)


def get_version(store: Store, version: int) -> Checklist:
    with store.session() as session:
        row = session.scalars(
            select(ChecklistVersion).where(ChecklistVersion.version == version)
        ).first()
        if row is None:
            raise NotFound(f"Checklist version {version} does not exist.")
        return _load(session, row)


def list_versions(store: Store) -> list[tuple[int, str, str]]:
    """(version, created at ISO, created by), newest first."""
    with store.session() as session:
        return [
            (v.version, v.created_at.isoformat(timespec="minutes"), v.created_by)
            for v in session.scalars(
                select(ChecklistVersion).order_by(ChecklistVersion.version.desc())
            )
        ]


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:6]
    return "_".join(words)[:50] or "item"


def _normalize(items: list[Item]) -> tuple[Item, ...]:
    cleaned, seen = [], set()
    for item in items:
        text = clean(item.text)
        key = clean(item.key) or _slug(text)
        base, n = key, 2
        while key in seen:
            key, n = f"{base}_{n}", n + 1
        seen.add(key)
        cleaned.append(Item(key, text, clean(item.help), bool(item.required)))
    return tuple(cleaned)


def validate_items(items: tuple[Item, ...]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not items:
        errors["items"] = "the checklist needs at least one item."
    elif len(items) > MAX_ITEMS:
        errors["items"] = f"the checklist can hold at most {MAX_ITEMS} items."
    for n, item in enumerate(items, start=1):
        if not item.text:
            errors[f"item_{n}"] = "has no text; write the item or remove it."
        elif len(item.text) > 1000:
            errors[f"item_{n}"] = "is longer than 1000 characters; shorten it."
    return errors


def save_checklist(store: Store, actor: Actor, items: list[Item], note: str = "") -> Checklist:
    """Save an edited list as a new version; earlier versions stay as they were."""
    require_owner(actor, "edit the compliance checklist")
    normalized = _normalize(items)
    errors = validate_items(normalized)
    if errors:
        raise ValidationError(errors)
    with store.session() as session:
        current = current_in(session)
        if current.items == normalized:
            return current
        number = (session.scalar(select(func.max(ChecklistVersion.version))) or 0) + 1
        row = _write(session, number, normalized, actor.name, clean(note))
        return _load(session, row)


def restore_default(store: Store, actor: Actor) -> Checklist:
    return save_checklist(store, actor, list(default_items()), "back to the default checklist")


def _write(session, number: int, items, created_by: str, note: str) -> ChecklistVersion:
    version = ChecklistVersion(
        version=number, created_at=now_utc(), created_by=created_by, note=note[:500]
    )
    session.add(version)
    session.flush()
    for position, item in enumerate(items):
        session.add(
            ChecklistItem(
                version_id=version.id,
                position=position,
                key=item.key,
                text=item.text,
                help=item.help,
                required=item.required,
            )
        )
    session.flush()
    return version
