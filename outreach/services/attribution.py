"""Which community a contact came from (first touch): where they were met, else
the community whose intake code they gave, else the one their self-reported
source names. None of those: unattributed, waiting for staff to assign."""

from __future__ import annotations

from sqlalchemy import func, select

from ..models import Community, CommunityAlias, Contact, Referral


class Lookup:
    """The communities' intake codes, names and aliases, read once. An import
    attributing 50k forms passes one instead of reading them for every form."""

    def __init__(self, session):
        self.codes = {
            (code or "").upper(): cid
            for cid, code in session.execute(select(Community.id, Community.intake_code))
        }
        self.names = _names(session)
        # Source text -> community: a file's forms repeat the same few answers.
        self.sources: dict[str, int | None] = {}


def _names(session) -> list[tuple[str, int]]:
    names = [(name, cid) for cid, name in session.execute(select(Community.id, Community.name))]
    names += [
        (alias, cid)
        for cid, alias in session.execute(select(CommunityAlias.community_id, CommunityAlias.alias))
    ]
    return names


def _by_code(session, code: str, lookup: Lookup | None = None) -> int | None:
    code = code.strip().upper()
    if not code:
        return None
    if lookup is not None:
        return lookup.codes.get(code)
    return session.scalar(select(Community.id).where(func.upper(Community.intake_code) == code))


def _by_source(session, source: str, lookup: Lookup | None = None) -> int | None:
    """The community whose name or alias appears in the text; the longest name
    wins, so "r/sleeptrain" is not taken for "r/sleep"."""
    if not source.strip():
        return None
    if lookup is None:
        return _named(source, _names(session))
    if source not in lookup.sources:
        lookup.sources[source] = _named(source, lookup.names)
    return lookup.sources[source]


def _named(source: str, names: list[tuple[str, int]]) -> int | None:
    text = f" {source.strip().lower()} "
    best: tuple[int, int] | None = None
    for name, cid in names:
        key = name.strip().lower()
        if key and _mentions(text, key) and (best is None or len(key) > best[0]):
            best = (len(key), cid)
    return best[1] if best else None


def _mentions(text: str, name: str) -> bool:
    start = text.find(name)
    while start != -1:
        before, after = text[start - 1], text[start + len(name) : start + len(name) + 1]
        if not before.isalnum() and not (after and after.isalnum()):
            return True
        start = text.find(name, start + 1)
    return False


def resolve(
    session, contact: Contact, referral: Referral | None = None, lookup: Lookup | None = None
) -> tuple[int | None, str | None]:
    if contact.attribution_method == "manual" and contact.attributed_community_id:
        return contact.attributed_community_id, "manual"
    if contact.first_community_id:
        return contact.first_community_id, "met"
    if referral is not None:
        if (cid := _by_code(session, referral.intake_code, lookup)) is not None:
            return cid, "code"
        if (cid := _by_source(session, referral.source_text, lookup)) is not None:
            return cid, "source"
    return None, None


_QUERY = object()


def refresh(
    session, contact: Contact, referral: Referral | None = _QUERY, lookup: Lookup | None = None
) -> None:
    """Re-resolve the contact's community. An import passes the referral it
    holds and a Lookup, so attributing a form runs no query."""
    if referral is _QUERY:
        referral = session.scalar(select(Referral).where(Referral.contact_id == contact.id))
    contact.attributed_community_id, contact.attribution_method = resolve(
        session, contact, referral, lookup
    )
