"""CSV import and export of communities and posts: all rows or none."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, insert, select

from ..context import Actor
from ..errors import Cancelled, ValidationError
from ..models import PLATFORMS, POST_KINDS, Community, Post
from ..store import Store
from ..timeutil import now_utc, parse_datetime, to_local
from . import communities as communities_service
from . import posts as posts_service
from .csv_table import CsvError, Table, apply_overrides, auto_map, read_table, record, write_table
from .intake_links import suggest_code

log = logging.getLogger("outreach.import")

Progress = Callable[[int, int], bool]
KINDS = ("communities", "posts")

COMMUNITY_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("community", "community name", "group", "forum", "subreddit"),
    "platform": ("site", "network", "platform type"),
    "url": ("link", "address", "web address", "website"),
    "topic": ("subject", "condition", "focus"),
    "status": ("state",),
    "advice_allowed": ("advice", "advice ok"),
    "self_promotion_allowed": ("self promotion", "promotion allowed"),
    "signature_links_allowed": ("signature links", "signature link allowed"),
    "promotion_ratio_limit_pct": ("promotion ratio", "promotion limit", "promotion ratio limit"),
    "rules_summary": ("rules",),
    "rules_url": ("rules link", "rules address"),
    "intake_code": ("code", "intake"),
    "notes": ("note", "comments"),
}
POST_FIELDS: dict[str, tuple[str, ...]] = {
    "community": ("community name", "group", "forum", "subreddit"),
    "posted_at": ("date", "posted", "posted on", "when", "date time", "datetime", "post date"),
    "kind": ("type", "post type", "category"),
    "title": ("subject", "headline"),
    "url": ("link", "address", "permalink"),
    "minutes_spent": ("minutes", "time spent", "duration", "mins"),
    "replies": ("comments", "reply count"),
    "reactions": ("likes", "upvotes", "reaction count", "votes"),
    "views": ("impressions", "view count"),
    "clicks": ("link clicks", "click count"),
    "body": ("text", "content", "message", "post text"),
}
REQUIRED = {"communities": ("name",), "posts": ("community", "posted_at", "kind")}
FIELDS = {"communities": COMMUNITY_FIELDS, "posts": POST_FIELDS}
CHUNK = 1000
_TRUE = {"yes", "y", "true", "1", "allowed", "x"}
_FALSE = {"no", "n", "false", "0", "not allowed", "forbidden"}
_PLATFORM_NAMES = {
    **{p: p for p in PLATFORMS},
    **{label.lower(): key for key, label in communities_service.PLATFORM_LABELS.items()},
    "facebook": "facebook",
    "q&a": "qa_site",
    "q and a": "qa_site",
}


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}"


@dataclass(frozen=True)
class ImportPreview:
    kind: str
    headers: list[str]
    mapping: dict[str, str | None]
    encoding: str
    delimiter: str
    row_count: int
    sample: list[dict[str, str]]


@dataclass
class ImportResult:
    kind: str
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return (
                f"Nothing was imported: {len(self.errors)} row"
                f"{'s have' if len(self.errors) != 1 else ' has'} a problem. "
                "Correct the file and import it again."
            )
        verb = "would be" if self.dry_run else "were"
        parts = [f"{self.imported} {self.kind} {verb} imported"]
        if self.updated:
            parts.append(f"{self.updated} updated")
        if self.skipped:
            parts.append(f"{self.skipped} skipped as already present")
        return ", ".join(parts) + "."


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise CsvError(f"Cannot import {kind!r}; choose one of: {', '.join(KINDS)}.")


def _mapping(kind: str, table: Table, overrides: dict[str, str] | None) -> dict[str, str | None]:
    mapping = auto_map(table.headers, FIELDS[kind])
    if overrides:
        mapping = apply_overrides(mapping, overrides, table.headers)
    missing = [f for f in REQUIRED[kind] if not mapping.get(f)]
    if missing:
        raise CsvError(
            f"The file has no column for {', '.join(missing)}; its columns are: "
            f"{', '.join(table.headers)}. Rename a column or map it "
            f'(e.g. --map {missing[0]}="Your column").'
        )
    return mapping


def preview_import(kind: str, path: str | Path, sample_rows: int = 5) -> ImportPreview:
    _check_kind(kind)
    table = read_table(path)
    mapping = auto_map(table.headers, FIELDS[kind])
    return ImportPreview(
        kind=kind,
        headers=table.headers,
        mapping=mapping,
        encoding=table.encoding,
        delimiter=table.delimiter,
        row_count=len(table.rows),
        sample=[record(table, mapping, row) for row in table.rows[:sample_rows]],
    )


def _int(text: str, name: str) -> int:
    cleaned = text.replace(",", "").replace(" ", "")
    if not cleaned:
        return 0
    if not re.fullmatch(r"\d+", cleaned):
        raise ValueError(f"{name} must be a whole number, 0 or more (got '{text}').")
    return int(cleaned)


def _bool(text: str, name: str) -> bool | None:
    value = text.strip().lower()
    if not value or value in ("unknown", "?"):
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be yes, no or blank (got '{text}').")


def _choice(text: str, name: str, choices: dict[str, str], default: str | None) -> str:
    value = text.strip().lower()
    if not value and default is not None:
        return default
    if value in choices:
        return choices[value]
    allowed = ", ".join(sorted(set(choices.values())))
    raise ValueError(f"{name} '{text}' is not one of: {allowed}.")


def _report(errors: dict[str, str]) -> str:
    return " ".join(f"{key} {reason}" for key, reason in errors.items())


def check_progress(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise Cancelled("Import cancelled; nothing was imported.")


def import_file(
    store: Store,
    actor: Actor,
    kind: str,
    path: str | Path,
    overrides: dict[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate every row, then write them all in one transaction, or none."""
    _check_kind(kind)
    table = read_table(path)
    mapping = _mapping(kind, table, overrides)
    if kind == "communities":
        result = _import_communities(store, actor, table, mapping, dry_run, progress)
    else:
        result = _import_posts(store, actor, table, mapping, dry_run, progress)
    # Counts only: the file's name or rows may name people.
    log.info(
        "Import of %s%s: %d new, %d updated, %d skipped, %d rows rejected",
        kind,
        " (dry run)" if dry_run else "",
        result.imported,
        result.updated,
        result.skipped,
        len(result.errors),
    )
    return result


def _community_data(values: dict[str, str]) -> communities_service.CommunityData:
    ratio_text = values["promotion_ratio_limit_pct"].rstrip("%").strip()
    ratio = None
    if ratio_text:
        if not re.fullmatch(r"\d+", ratio_text):
            raise ValueError(
                f"promotion_ratio_limit_pct must be a whole percentage (got '{ratio_text}')."
            )
        ratio = int(ratio_text)
    return communities_service.normalize(
        communities_service.CommunityData(
            name=values["name"],
            platform=_choice(values["platform"], "platform", _PLATFORM_NAMES, "other"),
            url=values["url"],
            topic=values["topic"],
            status=_choice(
                values["status"],
                "status",
                {s: s for s in ("active", "paused", "archived")},
                "active",
            ),
            advice_allowed=_bool(values["advice_allowed"], "advice_allowed"),
            self_promotion_allowed=_bool(
                values["self_promotion_allowed"], "self_promotion_allowed"
            ),
            signature_links_allowed=_bool(
                values["signature_links_allowed"], "signature_links_allowed"
            ),
            promotion_ratio_limit_pct=ratio,
            rules_summary=values["rules_summary"],
            rules_url=values["rules_url"],
            intake_code=values["intake_code"],
            notes=values["notes"],
        )
    )


def _import_communities(store, actor, table, mapping, dry_run, progress) -> ImportResult:
    result = ImportResult(kind="communities", dry_run=dry_run)
    total = len(table.rows)
    parsed: list[communities_service.CommunityData] = []
    seen: dict[str, int] = {}
    codes: dict[str, int] = {}
    for index, (number, row) in enumerate(zip(table.row_numbers, table.rows, strict=True)):
        if index % CHUNK == 0:
            check_progress(progress, index, total * 2)
        try:
            data = _community_data(record(table, mapping, row))
        except ValueError as exc:
            result.errors.append(RowError(number, str(exc)))
            continue
        errors = communities_service.validate(data)
        if errors:
            result.errors.append(RowError(number, _report(errors)))
            continue
        key = data.name.lower()
        if key in seen:
            result.errors.append(RowError(number, f"name '{data.name}' repeats row {seen[key]}."))
            continue
        seen[key] = number
        if data.intake_code:
            if data.intake_code in codes:
                result.errors.append(
                    RowError(number, f"intake_code repeats row {codes[data.intake_code]}.")
                )
                continue
            codes[data.intake_code] = number
        parsed.append(data)
    if result.errors:
        return result
    # The write lock first, so a command-line import racing the app waits for it
    # instead of failing half-way with "database is locked".
    with store.session(immediate=not dry_run) as session:
        existing = {
            name.lower(): cid for cid, name in session.execute(select(Community.id, Community.name))
        }
        taken_codes = {
            code.upper(): cid
            for cid, code in session.execute(
                select(Community.id, Community.intake_code).where(
                    Community.intake_code.is_not(None)
                )
            )
        }
        for number, data in zip(seen.values(), parsed, strict=True):
            owner = taken_codes.get(data.intake_code) if data.intake_code else None
            if owner is not None and owner != existing.get(data.name.lower()):
                result.errors.append(
                    RowError(
                        number, f"intake_code {data.intake_code} is used by another community."
                    )
                )
        if result.errors:
            return result
        stamp = now_utc()
        for index, data in enumerate(parsed):
            if index % CHUNK == 0:
                check_progress(progress, total + index, total * 2)
            values = communities_service.column_values(data)
            community_id = existing.get(data.name.lower())
            if community_id is None:
                if not values["intake_code"]:
                    values["intake_code"] = suggest_code(session, data.name)
                session.add(Community(**values, created_at=stamp, updated_at=stamp))
                session.flush()
                result.imported += 1
            else:
                community = session.get(Community, community_id)
                for key, value in values.items():
                    setattr(community, key, value)
                community.updated_at = stamp
                result.updated += 1
        session.flush()
        check_progress(progress, total * 2, total * 2)
        if dry_run:
            session.rollback()
    return result


def _post_values(values: dict[str, str], communities: dict[str, int]):
    community_id = communities.get(values["community"].strip().lower())
    problems: dict[str, str] = {}
    if not values["community"].strip():
        problems["community"] = "is required."
    elif community_id is None:
        problems["community"] = (
            f"'{values['community']}' is not in Outreach; add it or import communities first."
        )
    posted_at = None
    try:
        posted_at = parse_datetime(values["posted_at"])
    except ValueError as exc:
        problems["posted_at"] = f"{exc}."
    kind = values["kind"].strip().lower()
    numbers = {}
    for name in ("minutes_spent", "replies", "reactions", "views", "clicks"):
        try:
            numbers[name] = _int(values[name], name)
        except ValueError as exc:
            problems[name] = str(exc).removeprefix(f"{name} ")
    data = posts_service.normalize(
        posts_service.PostData(
            community_id=community_id,
            posted_at=posted_at,
            kind=kind,
            title=values["title"],
            body=values["body"],
            url=values["url"],
            **{
                name: numbers.get(name, 0)
                for name in ("minutes_spent", "replies", "reactions", "views", "clicks")
            },
        )
    )
    for key, reason in posts_service.validate(data).items():
        if key == "kind":
            reason = f"'{values['kind']}' is not one of: {', '.join(POST_KINDS)}."
        problems.setdefault(key, reason)
    return data, problems


def _import_posts(store, actor, table, mapping, dry_run, progress) -> ImportResult:
    result = ImportResult(kind="posts", dry_run=dry_run)
    total = len(table.rows)
    with store.session() as session:
        communities = {
            name.lower(): cid for cid, name in session.execute(select(Community.id, Community.name))
        }
    rows = []
    for index, (number, row) in enumerate(zip(table.row_numbers, table.rows, strict=True)):
        if index % CHUNK == 0:
            check_progress(progress, index, total * 2)
        data, problems = _post_values(record(table, mapping, row), communities)
        if problems:
            result.errors.append(RowError(number, _report(problems)))
        else:
            rows.append(data)
    if result.errors:
        return result
    stamp = now_utc()
    with store.session(immediate=not dry_run) as session:
        present = _existing_keys(session, rows)
        batch = []
        for index, data in enumerate(rows):
            key = _post_key(data)
            if key in present:
                result.skipped += 1
                continue
            present.add(key)
            batch.append(
                {
                    **posts_service.column_values(data),
                    # Nothing in a file is evidence of a compliance check.
                    "check_status": posts_service.initial_check_status(data.kind),
                    "source": "import",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
            if len(batch) >= CHUNK:
                session.execute(insert(Post), batch)
                batch = []
                check_progress(progress, total + index, total * 2)
        if batch:
            session.execute(insert(Post), batch)
        result.imported = len(rows) - result.skipped
        check_progress(progress, total * 2, total * 2)
        if dry_run:
            session.rollback()
    return result


def _post_key(data: posts_service.PostData) -> tuple:
    return (data.community_id, data.posted_at.replace(microsecond=0), data.title, data.url or None)


def _existing_keys(session, rows) -> set[tuple]:
    """Posts already stored with the same community, time, title and URL: a re-import."""
    if not rows:
        return set()
    start = min(r.posted_at for r in rows)
    end = max(r.posted_at for r in rows)
    ids = {r.community_id for r in rows}
    found = session.execute(
        select(Post.community_id, Post.posted_at, Post.title, Post.url).where(
            Post.community_id.in_(ids), Post.posted_at >= start, Post.posted_at <= end
        )
    )
    return {(cid, at.replace(microsecond=0), title, url) for cid, at, title, url in found}


COMMUNITY_COLUMNS = list(COMMUNITY_FIELDS)
POST_COLUMNS = [
    "community",
    "posted_at",
    "kind",
    "title",
    "url",
    "minutes_spent",
    "replies",
    "reactions",
    "views",
    "clicks",
    "body",
    "check_status",
]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def export_file(store: Store, kind: str, path: str | Path, progress: Progress | None = None) -> int:
    """Write every community or post to a CSV that Excel opens safely."""
    _check_kind(kind)
    if kind == "communities":
        page = communities_service.list_communities(
            store, communities_service.CommunityQuery(include_archived=True, limit=1000)
        )
        rows = [
            [
                c.name,
                c.platform,
                c.url,
                c.topic,
                c.status,
                _yes_no(c.advice_allowed),
                _yes_no(c.self_promotion_allowed),
                _yes_no(c.signature_links_allowed),
                "" if c.promotion_ratio_limit_pct is None else c.promotion_ratio_limit_pct,
                c.rules_summary,
                c.rules_url,
                c.intake_code,
                c.notes,
            ]
            for c in _all_communities(store, page)
        ]
        return write_table(path, COMMUNITY_COLUMNS, rows)
    with store.session() as session:
        total = session.scalar(select(func.count()).select_from(Post))
    columns = select(
        Community.name,
        Post.posted_at,
        Post.kind,
        Post.title,
        Post.url,
        Post.minutes_spent,
        Post.replies,
        Post.reactions,
        Post.views,
        Post.clicks,
        Post.body,
        Post.check_status,
    ).join(Community, Community.id == Post.community_id)

    def post_rows():
        # One streamed query of plain columns: paging with OFFSET or loading ORM
        # objects made a 100k-post export take seconds longer.
        with store.session() as session:
            result = session.execute(
                columns.order_by(Post.posted_at, Post.id).execution_options(yield_per=CHUNK)
            )
            for index, row in enumerate(result):
                if index % CHUNK == 0 and progress is not None and progress(index, total) is False:
                    raise Cancelled("Export cancelled; no file was written.")
                values = list(row)
                values[1] = to_local(values[1]).isoformat(timespec="seconds")
                values[4] = values[4] or ""
                yield values

    return write_table(path, POST_COLUMNS, post_rows())


def _all_communities(store, first_page):
    yield from first_page.rows
    offset = len(first_page.rows)
    while offset < first_page.total:
        page = communities_service.list_communities(
            store,
            communities_service.CommunityQuery(include_archived=True, offset=offset, limit=1000),
        )
        if not page.rows:
            return
        yield from page.rows
        offset += len(page.rows)


__all__ = [
    "COMMUNITY_FIELDS",
    "POST_FIELDS",
    "CsvError",
    "ImportPreview",
    "ImportResult",
    "RowError",
    "ValidationError",
    "export_file",
    "import_file",
    "preview_import",
]
