"""The practice profile: who the practitioner is and the figures reports use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, timedelta

from ..context import Actor
from ..errors import ValidationError, check_version
from ..models import ONLINE_COVER, PracticeProfile
from ..money import parse_cents, plain_cents
from ..store import Store
from ..timeutil import now_utc
from .common import clean, require_owner, valid_url


@dataclass(frozen=True)
class Profile:
    practitioner_name: str = ""
    specialty: str = ""
    licensed_jurisdictions: str = ""
    hourly_rate_cents: int = 0
    currency: str = "USD"
    fee_per_visit_cents: int = 0
    visits_per_year: float = 0.0
    years_retained: float = 0.0
    intake_form_url: str = ""
    disclaimer: str = ""
    signature: str = ""
    welcome_done: bool = False
    losing_touch_days: int = 30
    # The malpractice policy (the compliance gate reads these).
    insurer: str = ""
    policy_number: str = ""
    policy_renewal_on: date | None = None
    online_cover: str = "unknown"
    online_cover_confirmed_on: date | None = None
    scope_of_practice: str = ""
    # Trust: sign-in, auto-lock (0 = never) and how many backups are kept.
    sign_in_required: bool = False
    auto_lock_minutes: int = 10
    backup_keep_daily: int = 14
    backup_keep_monthly: int = 12
    # The stored row's version when this was read (optimistic locking): saving a
    # Profile read before someone else saved is refused. None skips the check.
    version: int | None = None

    def cover_problem(self, today: date) -> str | None:
        """Why the policy's online cover stops advice posts, or None when it does not."""
        if self.online_cover == "none":
            return (
                "Your malpractice policy does not cover online activity; advice posts stay "
                "blocked until your cover says otherwise (Settings, Compliance)."
            )
        if self.online_cover_confirmed_on is None:
            return (
                "Confirm with your insurer that your policy covers online activity, then enter "
                "the date you confirmed it (Settings, Compliance)."
            )
        if today - self.online_cover_confirmed_on > COVER_VALID_FOR:
            return (
                f"Your policy's online cover was last confirmed on "
                f"{self.online_cover_confirmed_on.isoformat()}, more than 12 months ago; "
                "confirm it with your insurer again and enter the new date."
            )
        if self.online_cover == "unknown":
            return (
                "Say what your policy covers online (general information or advice) in "
                "Settings, Compliance."
            )
        return None

    @property
    def jurisdictions(self) -> list[str]:
        return [j.strip() for j in self.licensed_jurisdictions.split(",") if j.strip()]

    @property
    def projected_lifetime_value_cents(self) -> int:
        return round(self.fee_per_visit_cents * self.visits_per_year * self.years_retained)


# COMPLIANCE.md item 14: cover for online activity confirmed within the year.
COVER_VALID_FOR = timedelta(days=365)
ONLINE_COVER_LABELS = {
    "unknown": "Not confirmed",
    "none": "Does not cover online activity",
    "general_information": "Covers online general information",
    "advice": "Covers online advice",
}


def _parse_optional_date(text: str) -> date | None:
    raw = str(text).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"'{text}' is not a date; write it as YYYY-MM-DD") from None


def _show_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _parse_cover(text: str) -> str:
    value = str(text).strip().lower().replace(" ", "_")
    if value not in ONLINE_COVER:
        raise ValueError(f"'{text}' is not one of {', '.join(ONLINE_COVER)}")
    return value


def _parse_float(text: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"'{text}' is not a number")
    return value


def _parse_int(text: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number") from None


def _parse_bool(text: str) -> bool:
    value = str(text).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"'{text}' is not yes or no")


@dataclass(frozen=True)
class SettingKey:
    field: str
    parse: Callable[[str], object]
    show: Callable[[object], str]
    help: str


# The names the command line uses (`outreach settings set hourly_rate 150.00`).
SETTINGS: dict[str, SettingKey] = {
    "practitioner_name": SettingKey("practitioner_name", str, str, "your name as shown on reports"),
    "specialty": SettingKey("specialty", str, str, "e.g. sleep medicine, dietetics"),
    "licensed_jurisdictions": SettingKey(
        "licensed_jurisdictions", str, str, "comma-separated states or countries"
    ),
    "hourly_rate": SettingKey(
        "hourly_rate_cents", parse_cents, plain_cents, "what an hour of clinical work earns"
    ),
    "currency": SettingKey("currency", lambda t: t.strip().upper(), str, "ISO code, e.g. USD"),
    "fee_per_visit": SettingKey("fee_per_visit_cents", parse_cents, plain_cents, "fee per visit"),
    "visits_per_year": SettingKey("visits_per_year", _parse_float, str, "visits per patient-year"),
    "years_retained": SettingKey("years_retained", _parse_float, str, "years a patient stays"),
    "intake_form_url": SettingKey(
        "intake_form_url", str, str, "the web address of your intake form"
    ),
    "disclaimer": SettingKey("disclaimer", str, str, "the disclaimer attached to advice posts"),
    "signature": SettingKey("signature", str, str, "the signature attached to posts"),
    "welcome_done": SettingKey("welcome_done", _parse_bool, str, "the first-run welcome was seen"),
    "losing_touch_days": SettingKey(
        "losing_touch_days", _parse_int, str, "days without contact before 'losing touch'"
    ),
    "insurer": SettingKey("insurer", str, str, "your malpractice insurer"),
    "policy_number": SettingKey("policy_number", str, str, "your malpractice policy number"),
    "policy_renewal_on": SettingKey(
        "policy_renewal_on", _parse_optional_date, _show_date, "the policy's renewal date"
    ),
    "online_cover": SettingKey(
        "online_cover", _parse_cover, str, "unknown, none, general_information or advice"
    ),
    "online_cover_confirmed_on": SettingKey(
        "online_cover_confirmed_on",
        _parse_optional_date,
        _show_date,
        "when you last confirmed the online cover with your insurer (YYYY-MM-DD)",
    ),
    "scope_of_practice": SettingKey("scope_of_practice", str, str, "your scope of practice"),
    "sign_in_required": SettingKey(
        "sign_in_required", _parse_bool, str, "ask for a password at start (one-user practice)"
    ),
    "auto_lock_minutes": SettingKey(
        "auto_lock_minutes",
        _parse_int,
        str,
        "lock the window after this many idle minutes (0: never)",
    ),
    "backup_keep_daily": SettingKey("backup_keep_daily", _parse_int, str, "daily backups kept"),
    "backup_keep_monthly": SettingKey(
        "backup_keep_monthly", _parse_int, str, "monthly backups kept"
    ),
}


def validate(profile: Profile) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(profile.practitioner_name) > 200:
        errors["practitioner_name"] = "must be at most 200 characters."
    for name in ("hourly_rate_cents", "fee_per_visit_cents"):
        if getattr(profile, name) < 0:
            errors[name.removesuffix("_cents")] = "cannot be negative."
    for name in ("visits_per_year", "years_retained"):
        if getattr(profile, name) < 0:
            errors[name] = "cannot be negative."
    if profile.visits_per_year > 366:
        errors["visits_per_year"] = "cannot be more than 366."
    if profile.years_retained > 100:
        errors["years_retained"] = "cannot be more than 100."
    if len(profile.currency) != 3 or not profile.currency.isalpha():
        errors["currency"] = "must be a three-letter code such as USD, EUR or GBP."
    if not 1 <= profile.losing_touch_days <= 3650:
        errors["losing_touch_days"] = "must be a number of days from 1 to 3650."
    if not 0 <= profile.auto_lock_minutes <= 24 * 60:
        errors["auto_lock_minutes"] = "must be a number of minutes from 0 (never) to 1440."
    if not 1 <= profile.backup_keep_daily <= 365:
        errors["backup_keep_daily"] = "must be from 1 to 365."
    if not 0 <= profile.backup_keep_monthly <= 120:
        errors["backup_keep_monthly"] = "must be from 0 to 120."
    if profile.online_cover not in ONLINE_COVER:
        errors["online_cover"] = f"must be one of {', '.join(ONLINE_COVER)}."
    if len(profile.insurer) > 200:
        errors["insurer"] = "must be at most 200 characters."
    if len(profile.policy_number) > 100:
        errors["policy_number"] = "must be at most 100 characters."
    confirmed = profile.online_cover_confirmed_on
    if confirmed is not None and confirmed > date.today() + timedelta(days=1):
        errors["online_cover_confirmed_on"] = "is in the future; enter the day you confirmed it."
    if profile.intake_form_url and not valid_url(profile.intake_form_url):
        errors["intake_form_url"] = "must be a web address starting with https://."
    return errors


def get_profile(store: Store) -> Profile:
    with store.session() as session:
        row = session.get(PracticeProfile, 1)
        if row is None:
            return Profile()
        return Profile(**{f.name: getattr(row, f.name) for f in fields(Profile)})


def save_profile(store: Store, actor: Actor, profile: Profile) -> Profile:
    require_owner(actor, "change the practice profile")
    profile = replace(
        profile,
        practitioner_name=clean(profile.practitioner_name),
        specialty=clean(profile.specialty),
        licensed_jurisdictions=", ".join(
            Profile(licensed_jurisdictions=profile.licensed_jurisdictions).jurisdictions
        ),
        currency=clean(profile.currency).upper(),
        intake_form_url=clean(profile.intake_form_url),
        disclaimer=(profile.disclaimer or "").strip(),
        signature=(profile.signature or "").strip(),
        insurer=clean(profile.insurer),
        policy_number=clean(profile.policy_number),
        scope_of_practice=(profile.scope_of_practice or "").strip(),
    )
    errors = validate(profile)
    if errors:
        raise ValidationError(errors)
    with store.session() as session:
        row = session.get(PracticeProfile, 1)
        if row is None:
            row = PracticeProfile(id=1)
            session.add(row)
        else:
            check_version(row, profile.version)
        for key, value in asdict(profile).items():
            if key != "version":  # the mapper counts versions itself
                setattr(row, key, value)
        row.updated_at = now_utc()
    # The new version, so the caller's next save of this copy is not refused.
    return replace(profile, version=row.version)


def mark_welcome_done(store: Store, actor: Actor) -> None:
    save_profile(store, actor, replace(get_profile(store), welcome_done=True))


def get_setting(store: Store, key: str) -> str:
    spec = _spec(key)
    return spec.show(getattr(get_profile(store), spec.field))


def set_setting(store: Store, actor: Actor, key: str, value: str) -> str:
    spec = _spec(key)
    try:
        parsed = spec.parse(value)
    except ValueError as exc:
        raise ValidationError({key: f"{exc}."}) from None
    try:
        saved = save_profile(store, actor, replace(get_profile(store), **{spec.field: parsed}))
    except ValidationError as exc:
        # Report under the name the user typed, not the column name.
        raise ValidationError({key: " ".join(exc.errors.values())}) from None
    return spec.show(getattr(saved, spec.field))


def _spec(key: str) -> SettingKey:
    try:
        return SETTINGS[key]
    except KeyError:
        raise ValidationError(
            {"key": f"'{key}' is not a setting; the settings are: {', '.join(SETTINGS)}."}
        ) from None
