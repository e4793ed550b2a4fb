"""The compliance gate (COMPLIANCE.md): what stands between a draft and an advice post.

A check passes when every required checklist item is confirmed, every blocking
scan finding is edited away or overridden with a written reason, the community
allows advice (or an override with a reason says why posting is fine), and the
malpractice policy's cover for online activity was confirmed within the year.
Only a passing check is recorded, in the evidence ledger, and only a post whose
exact final text has one may be logged as an advice post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from ..context import Actor
from ..errors import ComplianceError, NotFound, ValidationError
from ..models import Community, Post
from ..store import Store
from . import evidence, risk_scan
from .checklist import Checklist, current_in
from .common import require_owner
from .hash_chain import text_hash
from .profile import Profile, get_profile

# The self-promotion meter looks at this many of the latest posts in a community.
PROMOTION_WINDOW = 10
MIN_REASON = 10
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


class ComplianceBlocked(ComplianceError):
    """The gate refused; ``blockers`` are the sentences that say what to do."""

    def __init__(self, blockers: list[Blocker]):
        self.blockers = list(blockers)
        lines = "; ".join(b.sentence for b in blockers[:3])
        more = f" (and {len(blockers) - 3} more)" if len(blockers) > 3 else ""
        super().__init__(f"The compliance check does not pass yet: {lines}{more}.")


@dataclass(frozen=True)
class Rules:
    community_id: int
    name: str
    advice_allowed: bool | None
    self_promotion_allowed: bool | None
    signature_links_allowed: bool | None
    promotion_ratio_limit_pct: int | None
    rules_summary: str = ""

    def as_record(self) -> dict:
        return {
            "community_id": self.community_id,
            "name": self.name,
            "advice_allowed": self.advice_allowed,
            "self_promotion_allowed": self.self_promotion_allowed,
            "signature_links_allowed": self.signature_links_allowed,
            "promotion_ratio_limit_pct": self.promotion_ratio_limit_pct,
        }


@dataclass(frozen=True)
class PromotionMeter:
    promotional: int
    of_last: int
    limit_pct: int | None
    counting_this: bool

    @property
    def share_pct(self) -> float | None:
        total = self.of_last + (1 if self.counting_this else 0)
        mine = self.promotional + (1 if self.counting_this else 0)
        return round(mine / total * 100, 1) if total else None

    @property
    def over_limit(self) -> bool:
        share = self.share_pct
        return self.limit_pct is not None and share is not None and share > self.limit_pct

    @property
    def sentence(self) -> str:
        if not self.of_last:
            base = "No posts logged here yet"
        else:
            base = f"{self.promotional} of your last {self.of_last} posts here were promotional"
        limit = (
            f"; the community's limit is {self.limit_pct}%"
            if self.limit_pct is not None
            else "; no limit recorded"
        )
        tail = " (this post would take you over it)" if self.over_limit else ""
        return f"{base}{limit}{tail}."


@dataclass(frozen=True)
class Composition:
    body: str
    final_text: str
    disclaimer: str  # what was appended ("" when none or already in the body)
    signature: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    community_id: int | None
    body: str
    kind: str = "advice"
    title: str = ""


@dataclass(frozen=True)
class Blocker:
    key: str
    sentence: str
    overridable: bool = False


@dataclass
class Evaluation:
    composition: Composition
    checklist: Checklist
    rules: Rules
    findings: list[risk_scan.Finding]
    blockers: list[Blocker]
    warnings: list[str]
    meter: PromotionMeter
    answers: dict[str, bool] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    rules_override: str = ""

    @property
    def passed(self) -> bool:
        return not self.blockers

    @property
    def text_hash(self) -> str:
        return text_hash(self.composition.final_text)

    @property
    def crisis(self) -> bool:
        return any(f.severity == "crisis" for f in self.findings)


@dataclass(frozen=True)
class CheckRecord:
    id: int
    text_hash: str
    final_text: str
    checklist_version: int


def finding_key(finding: risk_scan.Finding) -> str:
    """Stable across edits elsewhere in the text, unlike an offset."""
    return f"{finding.pattern_id}:{finding.matched.casefold()}"


RULES_KEY = "community_rules"


def rules_for(session, community_id: int) -> Rules:
    c = session.get(Community, community_id)
    if c is None:
        raise NotFound("That community no longer exists; choose another.")
    return Rules(
        c.id,
        c.name,
        c.advice_allowed,
        c.self_promotion_allowed,
        c.signature_links_allowed,
        c.promotion_ratio_limit_pct,
        c.rules_summary or "",
    )


def promotion_meter(session, rules: Rules, kind: str) -> PromotionMeter:
    latest = (
        select(Post.kind)
        .where(Post.community_id == rules.community_id, Post.archived_at.is_(None))
        .order_by(Post.posted_at.desc(), Post.id.desc())
        .limit(PROMOTION_WINDOW)
        .subquery()
    )
    total, promos = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((latest.c.kind == "promotion", 1), else_=0)), 0),
        )
    ).one()
    return PromotionMeter(
        int(promos), int(total), rules.promotion_ratio_limit_pct, kind == "promotion"
    )


def compose(profile: Profile, rules: Rules, body: str) -> Composition:
    """The text that will go out: the draft, then the disclaimer and signature as
    the community's rules allow. Already-present parts are not added twice, so a
    logged post's text can be checked again as it stands."""
    body = (body or "").strip()
    notes: list[str] = []
    disclaimer = profile.disclaimer.strip()
    signature = profile.signature.strip()
    if disclaimer and disclaimer in body:
        disclaimer = ""
    if signature and signature in body:
        signature = ""
    if signature and rules.signature_links_allowed is not True and _LINK.search(signature):
        signature = re.sub(r"[ \t]{2,}", " ", _LINK.sub("", signature)).strip()
        notes.append(
            "Links were left out of the signature: "
            + (
                "this community does not allow signature links."
                if rules.signature_links_allowed is False
                else "this community's rules on signature links are not recorded."
            )
        )
    if not disclaimer and not profile.disclaimer.strip():
        notes.append("No disclaimer is set; add one in Settings.")
    parts = [p for p in (body, disclaimer, signature) if p]
    return Composition(body, "\n\n".join(parts), disclaimer, signature, tuple(notes))


def evaluate(
    store: Store,
    draft: Draft,
    answers: dict[str, bool] | None = None,
    overrides: dict[str, str] | None = None,
    rules_override: str = "",
    *,
    today: date | None = None,
) -> Evaluation:
    """What the gate says about a draft now; records nothing."""
    answers = dict(answers or {})
    overrides = {k: (v or "").strip() for k, v in (overrides or {}).items()}
    rules_override = (rules_override or "").strip()
    today = today or date.today()
    profile = get_profile(store)
    if draft.community_id is None:
        raise ValidationError({"community": "is required; choose where the post goes."})
    with store.session() as session:
        rules = rules_for(session, draft.community_id)
        checklist = current_in(session)
        meter = promotion_meter(session, rules, draft.kind)
    composition = compose(profile, rules, draft.body)
    # The practice's own texts are not scanned, nor the crisis-resource reply
    # (it names suicide on purpose, and is what the gate recommends).
    own = (profile.disclaimer.strip(), profile.signature.strip(), risk_scan.crisis_reply().strip())
    findings = risk_scan.scan(composition.final_text, ignore=[t for t in own if t])
    blockers: list[Blocker] = []
    warnings: list[str] = list(composition.notes)
    if not composition.body:
        blockers.append(Blocker("text", "the post has no text"))
    for item in checklist.items:
        if item.required and not answers.get(item.key):
            blockers.append(Blocker(f"item:{item.key}", f"confirm “{item.text}”"))
    for finding in findings:
        key = finding_key(finding)
        if finding.severity == "block" and len(overrides.get(key, "")) < MIN_REASON:
            blockers.append(
                Blocker(
                    f"finding:{key}",
                    f"edit “{finding.matched}” ({finding.category_label}) or override it with a reason",
                    overridable=True,
                )
            )
        elif finding.severity == "warn":
            warnings.append(f"{finding.category_label}: “{finding.matched}”. {finding.explanation}")
        elif finding.severity == "crisis":
            warnings.append(
                "The text mentions a crisis; consider the crisis-resource reply instead."
            )
    if draft.kind == "advice":
        if rules.advice_allowed is False and len(rules_override) < MIN_REASON:
            blockers.append(
                Blocker(
                    RULES_KEY,
                    f"{rules.name} does not allow advice; post elsewhere or override with a reason",
                    overridable=True,
                )
            )
        elif rules.advice_allowed is None:
            warnings.append(
                f"Whether {rules.name} allows advice is not recorded; read its rules first."
            )
        cover = profile.cover_problem(today)
        if cover:
            blockers.append(Blocker("policy", cover))
    if draft.kind == "promotion" and rules.self_promotion_allowed is False:
        warnings.append(f"{rules.name} does not allow self-promotion.")
    if meter.over_limit:
        warnings.append(meter.sentence)
    return Evaluation(
        composition,
        checklist,
        rules,
        findings,
        blockers,
        warnings,
        meter,
        answers,
        overrides,
        rules_override,
    )


def _refuse_blank_reasons(overrides: dict[str, str], rules_override: str | None) -> None:
    errors = {}
    for key, reason in overrides.items():
        if len((reason or "").strip()) < MIN_REASON:
            errors[f"override {key.split(':', 1)[-1]}"] = (
                f"needs a written reason of at least {MIN_REASON} characters; "
                "say why the words are safe here, or edit them out."
            )
    if rules_override is not None and 0 < len(rules_override.strip()) < MIN_REASON:
        errors["community rules override"] = (
            f"needs a written reason of at least {MIN_REASON} characters."
        )
    if errors:
        raise ValidationError(errors)


def record_check(
    store: Store,
    actor: Actor,
    draft: Draft,
    answers: dict[str, bool],
    overrides: dict[str, str] | None = None,
    rules_override: str = "",
    *,
    today: date | None = None,
) -> CheckRecord:
    """Evaluate the draft and, when it passes, append the check to the evidence ledger."""
    require_owner(actor, "confirm a compliance check")
    overrides = dict(overrides or {})
    _refuse_blank_reasons(overrides, rules_override)
    result = evaluate(store, draft, answers, overrides, rules_override, today=today)
    if not result.passed:
        raise ComplianceBlocked(result.blockers)
    payload = evidence_payload(result, draft, get_profile(store), today or date.today())
    check_id = evidence.append(
        store,
        actor,
        community_id=result.rules.community_id,
        checklist_version=result.checklist.version,
        text_hash=result.text_hash,
        payload=payload,
    )
    return CheckRecord(
        check_id, result.text_hash, result.composition.final_text, result.checklist.version
    )


def evidence_payload(result: Evaluation, draft: Draft, profile: Profile, today: date) -> dict:
    used = {finding_key(f) for f in result.findings}
    return {
        "kind": draft.kind,
        "title": draft.title,
        "final_text": result.composition.final_text,
        "disclaimer_appended": result.composition.disclaimer,
        "signature_appended": result.composition.signature,
        "checklist": {
            "version": result.checklist.version,
            "items": [
                {
                    "key": item.key,
                    "text": item.text,
                    "required": item.required,
                    "confirmed": bool(result.answers.get(item.key)),
                }
                for item in result.checklist.items
            ],
        },
        "findings": [
            {**f.to_dict(), "override_reason": result.overrides.get(finding_key(f), "")}
            for f in result.findings
        ],
        # Overrides given for words no longer in the text are not evidence of anything.
        "unused_overrides": sorted(k for k in result.overrides if k not in used),
        "community_rules": result.rules.as_record(),
        "community_rules_override": result.rules_override,
        "promotion_meter": {
            "promotional": result.meter.promotional,
            "of_last": result.meter.of_last,
            "limit_pct": result.meter.limit_pct,
        },
        "warnings": result.warnings,
        "policy": {
            "insurer": profile.insurer,
            "policy_number": profile.policy_number,
            "online_cover": profile.online_cover,
            "online_cover_confirmed_on": (
                profile.online_cover_confirmed_on.isoformat()
                if profile.online_cover_confirmed_on
                else None
            ),
            "checked_on": today.isoformat(),
        },
    }
