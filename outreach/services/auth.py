"""Accounts, passwords and sign-in.

Passwords are hashed with scrypt (memory-hard, in the standard library) with the
parameters stored beside the hash. Repeated wrong passwords are slowed down:
after a few, each further attempt has to wait longer, checked before the
password is even looked at. A one-user practice is not asked to sign in unless
it turns sign-in on; with more than one active account, sign-in is required.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from .. import audit_trail
from ..context import PRACTITIONER, ROLE_LABELS, Actor  # noqa: F401 - ROLE_LABELS: where callers find it
from ..errors import NotFound, OutreachError, ValidationError
from ..models import ROLES, User
from ..store import Store
from ..timeutil import now_utc
from .common import clean, require_owner
from .profile import get_profile

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 8
FREE_ATTEMPTS = 3
MAX_WAIT = timedelta(minutes=5)


class AuthError(OutreachError):
    """Sign-in refused; the message says why and what to do."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    last_sign_in_at: datetime | None

    @property
    def actor(self) -> Actor:
        return Actor(name=self.display_name or self.username, role=self.role, user_id=self.id)


def hash_password(password: str, *, n: int = SCRYPT_N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    b64 = base64.b64encode
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def wait_after(failed_attempts: int) -> timedelta:
    """How long the next attempt must wait: nothing for the first few, then doubling."""
    if failed_attempts < FREE_ATTEMPTS:
        return timedelta(0)
    # Capped before it is computed: 2**50 seconds does not fit a timedelta.
    doublings = min(failed_attempts - FREE_ATTEMPTS + 1, 20)
    return min(timedelta(seconds=2**doublings), MAX_WAIT)


def _account(user: User) -> Account:
    return Account(
        user.id, user.username, user.display_name, user.role, user.active, user.last_sign_in_at
    )


def list_accounts(store: Store) -> list[Account]:
    with store.session() as session:
        users = session.scalars(select(User).order_by(func.lower(User.username))).all()
        return [_account(u) for u in users]


def active_count(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(User).where(User.active)) or 0


def sign_in_needed(store: Store) -> bool:
    count = active_count(store)
    return count > 1 or (count == 1 and get_profile(store).sign_in_required)


def actor_without_sign_in(store: Store) -> Actor:
    """Who acts when nobody has to sign in: the only account (so a lock knows
    whose password to ask), else the practitioner of a practice without accounts."""
    active = [a for a in list_accounts(store) if a.active]
    return active[0].actor if len(active) == 1 else PRACTITIONER


def _validate(username: str, display_name: str, role: str, password: str | None) -> dict:
    errors = {}
    if not username:
        errors["username"] = "is required."
    elif len(username) > 100 or any(c.isspace() for c in username):
        errors["username"] = "must be one word of at most 100 characters."
    if len(display_name) > 200:
        errors["display_name"] = "must be at most 200 characters."
    if role not in ROLES:
        errors["role"] = f"must be one of {', '.join(ROLES)}."
    if password is not None and len(password) < MIN_PASSWORD:
        errors["password"] = f"must be at least {MIN_PASSWORD} characters."
    return errors


def create_account(
    store: Store, actor: Actor, username: str, password: str, role: str, display_name: str = ""
) -> int:
    """Add an account. The very first one is the practitioner's (owner) and may be
    made by whoever runs the app; after that only an owner adds accounts."""
    username, display_name = clean(username), clean(display_name)
    first = active_count(store) == 0 and not list_accounts(store)
    if first and role != "owner":
        raise ValidationError({"role": "the first account must be the practitioner's (owner)."})
    if not first:
        require_owner(actor, "add accounts")
    errors = _validate(username, display_name, role, password)
    if errors:
        raise ValidationError(errors)
    with store.session() as session:
        taken = session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
        if taken:
            raise ValidationError({"username": f"'{username}' is taken; choose another."})
        stamp = now_utc()
        user = User(
            username=username,
            display_name=display_name,
            role=role,
            password_hash=hash_password(password),
            active=True,
            failed_attempts=0,
            created_at=stamp,
            updated_at=stamp,
        )
        session.add(user)
        session.flush()
        return user.id


def _owners_left(session, excluding: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.active, User.role == "owner", User.id != excluding)
    )


def update_account(
    store: Store,
    actor: Actor,
    user_id: int,
    *,
    role: str | None = None,
    active: bool | None = None,
    display_name: str | None = None,
) -> None:
    require_owner(actor, "manage accounts")
    with store.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account no longer exists.")
        new_role = role if role is not None else user.role
        new_active = active if active is not None else user.active
        errors = _validate(user.username, clean(display_name or ""), new_role, None)
        if errors:
            raise ValidationError(errors)
        losing_owner = user.role == "owner" and (new_role != "owner" or not new_active)
        if losing_owner and _owners_left(session, user.id) == 0:
            raise ValidationError(
                {"role": "the practice needs at least one active practitioner (owner) account."}
            )
        user.role, user.active = new_role, new_active
        if display_name is not None:
            user.display_name = clean(display_name)
        user.updated_at = now_utc()


def set_password(
    store: Store, actor: Actor, user_id: int, new_password: str, current: str | None = None
) -> None:
    """People change their own password (giving the current one); an owner may
    set anyone's (e.g. staff who forgot theirs)."""
    if len(new_password) < MIN_PASSWORD:
        raise ValidationError({"password": f"must be at least {MIN_PASSWORD} characters."})
    with store.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account no longer exists.")
        if actor.user_id != user_id:
            require_owner(actor, "set another person's password")
        elif not verify_password(current or "", user.password_hash):
            raise AuthError("The current password is wrong; type it again.")
        user.password_hash = hash_password(new_password)
        user.failed_attempts = 0
        user.updated_at = now_utc()


def sign_in(store: Store, username: str, password: str, *, now: datetime | None = None) -> Actor:
    """The account's actor, or AuthError with a sentence. Every attempt is audited,
    and a failed one is committed before the refusal (a rollback would forget it)."""
    now = now or now_utc()
    refusal = "That username and password do not match; check both and try again."
    with store.session() as session:
        session.info["audit_written"] = True
        user = session.scalars(
            select(User).where(func.lower(User.username) == clean(username).lower())
        ).first()
        if user is None or not user.active:
            _audit(session, None, "sign_in_failed", "unknown or inactive account")
        else:
            wait = wait_after(user.failed_attempts)
            if user.last_failed_at and now < user.last_failed_at + wait:
                seconds = int((user.last_failed_at + wait - now).total_seconds()) + 1
                refusal = f"Too many wrong passwords: wait {seconds} seconds, then try again."
            elif not verify_password(password, user.password_hash):
                user.failed_attempts += 1
                user.last_failed_at = now
                _audit(session, user, "sign_in_failed", f"attempt {user.failed_attempts}")
            else:
                user.failed_attempts = 0
                user.last_failed_at = None
                user.last_sign_in_at = now
                _audit(session, user, "sign_in", "")
                return _account(user).actor
    raise AuthError(refusal)


def _audit(session, user: User | None, action: str, note: str) -> None:
    who = _account(user).actor if user else Actor(name="(not signed in)", role="staff")
    audit_trail.append(
        session.connection(), who, action, "users", [user.id] if user else [], (), note
    )
