"""The practice profile: who the practitioner is and the figures reports use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace

from ..context import Actor
from ..errors import ValidationError
from ..models import PracticeProfile
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

    @property
    def jurisdictions(self) -> list[str]:
        return [j.strip() for j in self.licensed_jurisdictions.split(",") if j.strip()]

    @property
    def projected_lifetime_value_cents(self) -> int:
        return round(self.fee_per_visit_cents * self.visits_per_year * self.years_retained)


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
    )
    errors = validate(profile)
    if errors:
        raise ValidationError(errors)
    with store.session() as session:
        row = session.get(PracticeProfile, 1)
        if row is None:
            row = PracticeProfile(id=1)
            session.add(row)
        for key, value in asdict(profile).items():
            setattr(row, key, value)
        row.updated_at = now_utc()
    return profile


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
