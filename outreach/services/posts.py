"""Posts: each contribution to a community, with the time it took and what it drew."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select

from .. import audit_trail
from ..context import Actor
from ..errors import ComplianceError, NotFound, ValidationError, check_version
from ..models import POST_KINDS, POST_SOURCES, Community, Post
from ..store import Store
from ..timeutil import end_of_day_utc, now_utc, start_of_day_utc
from .common import (
    NOT_COUNTED,
    Page,
    clamp_limit,
    clean,
    counted_here,
    raw_key,
    require_owner,
    seek,
    valid_url,
)
from .evidence import passing_check_for
from .search import search_clauses

KIND_LABELS = {
    "advice": "Advice",
    "education": "Education",
    "answer": "Answer",
    "promotion": "Promotion",
    "announcement": "Announcement",
}
CHECK_LABELS = {
    "not_required": "",
    "unchecked": "Not checked",
    "checked": "Checked",
    "changed": "Changed after check",
}
# A post dated far in the future is almost always a typo in the year.
FUTURE_SLACK = timedelta(days=1)
MAX_COUNT = 1_000_000_000
MAX_MINUTES = 24 * 60


@dataclass(frozen=True)
class PostData:
    community_id: int | None
    posted_at: datetime | None
    kind: str
    title: str = ""
    body: str = ""
    url: str = ""
    minutes_spent: int = 0
    replies: int = 0
    reactions: int = 0
    views: int = 0
    clicks: int = 0


@dataclass(frozen=True)
class PostRow:
    id: int
    community_id: int
    community_name: str
    posted_at: datetime
    kind: str
    title: str
    body: str
    url: str
    minutes_spent: int
    replies: int
    reactions: int
    views: int
    clicks: int
    check_status: str
    source: str
    archived: bool
    check_id: int | None = None
    version: int | None = None  # what an edit passes back (optimistic locking)

    def data(self) -> PostData:
        return PostData(
            community_id=self.community_id,
            posted_at=self.posted_at,
            kind=self.kind,
            title=self.title,
            body=self.body,
            url=self.url,
            minutes_spent=self.minutes_spent,
            replies=self.replies,
            reactions=self.reactions,
            views=self.views,
            clicks=self.clicks,
        )


@dataclass(frozen=True)
class PostQuery:
    search: str = ""
    community_id: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    check_status: str | None = None
    include_archived: bool = False
    sort: str = "posted_at"
    descending: bool = True
    offset: int = 0
    limit: int = 200
    # Paging (see common.Page): start after this cursor instead of at offset, and
    # whether to count (and sum) every matching row.
    after: tuple | None = None
    count: bool = True


@dataclass(frozen=True)
class PostPage(Page[PostRow]):
    total_minutes: int = 0

    @property
    def total_hours(self) -> float:
        return self.total_minutes / 60


def normalize(data: PostData) -> PostData:
    return replace(
        data, title=clean(data.title), body=(data.body or "").strip(), url=clean(data.url)
    )


def validate(data: PostData, *, now: datetime | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.community_id is None:
        errors["community"] = "is required; choose the community the post was made in."
    if data.posted_at is None:
        errors["posted_at"] = "is required."
    elif data.posted_at.tzinfo is None:
        errors["posted_at"] = "must include a time zone."
    elif data.posted_at > (now or now_utc()) + FUTURE_SLACK:
        errors["posted_at"] = "is in the future; check the year."
    if data.kind not in POST_KINDS:
        errors["kind"] = f"must be one of {', '.join(POST_KINDS)}."
    if len(data.title) > 300:
        errors["title"] = "must be at most 300 characters."
    if data.url and not valid_url(data.url):
        errors["url"] = "must be a web address starting with https://."
    elif len(data.url) > 500:
        errors["url"] = "must be at most 500 characters."
    if not isinstance(data.minutes_spent, int) or data.minutes_spent < 0:
        errors["minutes_spent"] = "must be a whole number of minutes, 0 or more."
    elif data.minutes_spent > MAX_MINUTES:
        errors["minutes_spent"] = "cannot be more than 1440 (a whole day) for one post."
    for name in ("replies", "reactions", "views", "clicks"):
        value = getattr(data, name)
        if not isinstance(value, int) or value < 0 or value > MAX_COUNT:
            errors[name] = "must be a whole number, 0 or more."
    if not data.title and not data.body and not data.url:
        errors["title"] = (
            "is needed (or the post's text or address) so you can find the post later."
        )
    return errors


def _check(session, data: PostData) -> dict[str, str]:
    errors = validate(data)
    if "community" not in errors and session.get(Community, data.community_id) is None:
        errors["community"] = "no longer exists; choose another community."
    return errors


def initial_check_status(kind: str) -> str:
    # Imported advice posts never passed the gate: they are counted as unchecked.
    return "unchecked" if kind == "advice" else "not_required"


NEEDS_CHECK = (
    "An advice post can be logged only after its exact text passes the compliance check: "
    "use Compose (or Check on the post) to check it first."
)


def _gate(session, data: PostData, check_id: int | None) -> str:
    """The check status for a manually logged post, or ComplianceError."""
    if data.kind != "advice":
        return "not_required"
    if not passing_check_for(session, check_id, data.body):
        raise ComplianceError(NEEDS_CHECK)
    return "checked"


def create_post(
    store: Store,
    actor: Actor,
    data: PostData,
    *,
    source: str = "manual",
    check_id: int | None = None,
) -> int:
    """Log a post. A manual advice post needs a passing check of its exact text;
    imported and demo history goes in as it was: unchecked."""
    if source not in POST_SOURCES:
        raise ValueError(f"unknown post source {source!r}")
    data = normalize(data)
    with store.session() as session:
        errors = _check(session, data)
        if errors:
            raise ValidationError(errors)
        if source == "manual":
            status = _gate(session, data, check_id)
        elif data.kind == "advice" and passing_check_for(session, check_id, data.body):
            status = "checked"
        else:
            status, check_id = initial_check_status(data.kind), None
        stamp = now_utc()
        post = Post(
            **column_values(data),
            check_status=status,
            check_id=check_id if status == "checked" else None,
            source=source,
            created_at=stamp,
            updated_at=stamp,
        )
        session.add(post)
        session.flush()
        return post.id


def column_values(data: PostData) -> dict:
    return {
        "community_id": data.community_id,
        "posted_at": data.posted_at,
        "kind": data.kind,
        "title": data.title,
        "body": data.body,
        "url": data.url or None,
        "minutes_spent": data.minutes_spent,
        "replies": data.replies,
        "reactions": data.reactions,
        "views": data.views,
        "clicks": data.clicks,
    }


def update_post(
    store: Store,
    actor: Actor,
    post_id: int,
    data: PostData,
    *,
    check_id: int | None = None,
    version: int | None = None,
) -> None:
    """Save an edit. With ``check_id``, the new text and the check that passed it
    are saved together (the composer re-checking a logged post), or neither is.
    With ``version`` (the PostRow's), an edit of an out-of-date copy is refused."""
    data = normalize(data)
    with store.session() as session:
        post = session.get(Post, post_id)
        if post is None:
            raise NotFound(f"Post {post_id} no longer exists; refresh the list.")
        check_version(post, version)
        errors = _check(session, data)
        if errors:
            raise ValidationError(errors)
        if check_id is not None:
            if not passing_check_for(session, check_id, data.body):
                raise ComplianceError(
                    "That check is for other words than the post's text; check the post as "
                    "it stands now."
                )
            post.check_id = check_id
        # Turning a logged post into advice would slip past the gate.
        if (
            data.kind == "advice"
            and post.kind != "advice"
            and post.source == "manual"
            and not passing_check_for(session, post.check_id, data.body)
        ):
            raise ComplianceError(NEEDS_CHECK)
        for key, value in column_values(data).items():
            setattr(post, key, value)
        post.check_status = _status_after_edit(session, post)
        post.updated_at = now_utc()


def _status_after_edit(session, post: Post) -> str:
    if post.kind != "advice":
        post.check_id = None
        return "not_required"
    if post.check_id is None:
        return "unchecked"
    # A check is evidence about the exact text: edited text is "changed after check".
    return "checked" if passing_check_for(session, post.check_id, post.body) else "changed"


def attach_check(store: Store, actor: Actor, post_id: int, check_id: int) -> None:
    """Record that a logged post's current text passed a check (e.g. an imported
    advice post checked later, or an edited one checked again)."""
    with store.session() as session:
        post = session.get(Post, post_id)
        if post is None:
            raise NotFound(f"Post {post_id} no longer exists; refresh the list.")
        if not passing_check_for(session, check_id, post.body):
            raise ComplianceError(
                "That check is for other words than the post's text; check the post as it "
                "stands now."
            )
        post.check_id = check_id
        post.check_status = "checked" if post.kind == "advice" else "not_required"
        post.updated_at = now_utc()


def set_archived(store: Store, actor: Actor, post_ids: list[int], archived: bool) -> int:
    with store.session() as session:
        posts = session.scalars(select(Post).where(Post.id.in_(post_ids))).all()
        stamp = now_utc()
        for post in posts:
            post.archived_at = stamp if archived else None
            post.updated_at = stamp
        return len(posts)


def delete_posts(store: Store, actor: Actor, post_ids: list[int]) -> int:
    """Delete posts (the practitioner only). Their compliance checks stay in the
    evidence ledger: the evidence outlives the log entry."""
    require_owner(actor, "delete posts")
    with store.session() as session:
        # One audit event naming every deleted id, instead of the bulk statement's.
        session.info["audit_written"] = True
        ids = list(session.scalars(select(Post.id).where(Post.id.in_(post_ids))))
        result = session.execute(delete(Post).where(Post.id.in_(ids)))
        if ids:
            audit_trail.append(session.connection(), actor, "delete", "posts", ids)
        return result.rowcount or 0


SORTS = {
    "posted_at": Post.posted_at,
    "community": func.lower(Community.name),
    "kind": Post.kind,
    "title": Post.title,
    "minutes_spent": Post.minutes_spent,
    "replies": Post.replies,
    "reactions": Post.reactions,
    "views": Post.views,
    "clicks": Post.clicks,
    "check_status": Post.check_status,
}


def _filters(query: PostQuery, dialect: str) -> list:
    clauses = search_clauses(dialect, "posts", query.search)
    if query.community_id is not None:
        clauses.append(Post.community_id == query.community_id)
    if query.kind:
        clauses.append(Post.kind == query.kind)
    if query.check_status:
        clauses.append(Post.check_status == query.check_status)
    if query.date_from:
        clauses.append(Post.posted_at >= start_of_day_utc(query.date_from))
    if query.date_to:
        clauses.append(Post.posted_at < end_of_day_utc(query.date_to))
    if not query.include_archived:
        clauses.append(Post.archived_at.is_(None))
    return clauses


def _row(post: Post, community_name: str) -> PostRow:
    return PostRow(
        id=post.id,
        community_id=post.community_id,
        community_name=community_name,
        posted_at=post.posted_at,
        kind=post.kind,
        title=post.title,
        body=post.body,
        url=post.url or "",
        minutes_spent=post.minutes_spent,
        replies=post.replies,
        reactions=post.reactions,
        views=post.views,
        clicks=post.clicks,
        check_status=post.check_status,
        source=post.source,
        archived=post.archived_at is not None,
        check_id=post.check_id,
        version=post.version,
    )


def list_posts(store: Store, query: PostQuery = PostQuery()) -> PostPage:
    if query.sort not in SORTS:
        raise ValidationError({"sort": f"must be one of {', '.join(SORTS)}."})
    dialect = store.engine.dialect.name
    clauses = _filters(query, dialect)
    key = SORTS[query.sort]
    order = key.desc() if query.descending else key.asc()
    tiebreak = Post.id.desc() if query.descending else Post.id.asc()
    limit = clamp_limit(query.limit)
    stmt = (
        select(Post, Community.name, raw_key(key))
        .join(Community, Community.id == Post.community_id)
        .where(*clauses)
        .order_by(order, tiebreak)
        .limit(limit)
    )
    if query.sort == "community" and query.after is None:
        # Always true (a name is never NULL), but a range on the communities'
        # name index makes SQLite walk the 40 communities in name order and stop
        # at the 200th post (6 ms) instead of sorting all 100k posts (36 ms).
        stmt = stmt.where(key >= "")
    if query.after is not None:
        # No post sort key is ever NULL.
        stmt = stmt.where(
            seek(key, query.descending, Post.id, query.descending, query.after, dialect, False)
        )
    else:
        stmt = stmt.offset(max(0, query.offset))
    with store.session() as session:
        rows = session.execute(stmt).all()
        if not query.count:
            total, minutes = NOT_COUNTED, 0
        elif counted_here(replace(query, limit=limit), rows):
            total, minutes = len(rows), sum(post.minutes_spent for post, _, _ in rows)
        else:
            # No join: every post has its community (a NOT NULL foreign key), and
            # the count and sum then read only the covering index.
            total, minutes = session.execute(
                select(func.count(Post.id), func.coalesce(func.sum(Post.minutes_spent), 0)).where(
                    *clauses
                )
            ).one()
    return PostPage(
        rows=[_row(post, name) for post, name, _ in rows],
        total=total,
        offset=query.offset,
        limit=limit,
        cursor=(rows[-1].sort_key, rows[-1][0].id) if rows else None,
        total_minutes=minutes,
    )


def get_post(store: Store, post_id: int) -> PostRow:
    with store.session() as session:
        row = session.execute(
            select(Post, Community.name)
            .join(Community, Community.id == Post.community_id)
            .where(Post.id == post_id)
        ).first()
        if row is None:
            raise NotFound(f"Post {post_id} no longer exists; refresh the list.")
        return _row(*row)
