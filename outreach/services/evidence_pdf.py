"""The evidence report: a period's compliance checks as an insurer or a licensing
board would read them, each with its exact text, answers, findings and overrides.

Every piece of user text goes through pdf_kit.esc; the report states whether
the ledger's hash chain was whole when the report was made.
"""

from __future__ import annotations

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from .. import __version__
from ..store import Store
from ..timeutil import now_utc, to_local
from . import pdf_kit
from .compliance_summary import compliance_summary
from .evidence import EvidenceRecord, records_between, verify_ledger
from .pdf_kit import esc, para
from .profile import get_profile

SEVERITY_LABELS = {"block": "blocks", "warn": "warning", "crisis": "crisis"}


def _text_block(text: str, style) -> Paragraph:
    # Line breaks are part of the evidence: keep them.
    return Paragraph(esc(text).replace("\n", "<br/>") or "(empty)", style)


def _yes(value) -> str:
    return {True: "yes", False: "no", None: "not recorded"}.get(value, str(value))


def _record_story(record: EvidenceRecord, st) -> list:
    p = record.payload
    when = to_local(record.checked_at).strftime("%Y-%m-%d %H:%M %Z")
    story: list = [
        Paragraph(
            f"Check {record.id} · {esc(when)} · {esc(record.community_name) or 'no community'}",
            st["h2"],
        ),
        Paragraph(
            f"By {esc(record.actor_name)} ({esc(record.actor_role)}) · kind "
            f"{esc(p.get('kind', ''))} · checklist version {record.checklist_version} · "
            f"text SHA-256 {esc(record.text_hash)}",
            st["note"],
        ),
        Spacer(1, 2 * mm),
        Paragraph("<b>Final text</b>", st["body"]),
        _text_block(record.final_text, st["body"]),
        Spacer(1, 2 * mm),
    ]
    items = (p.get("checklist") or {}).get("items", [])
    if items:
        rows = [
            [
                para(i.get("text", ""), st["cell"]),
                "required" if i.get("required") else "advisory",
                "confirmed" if i.get("confirmed") else "not confirmed",
            ]
            for i in items
        ]
        story += pdf_kit.chunked_table(
            ["Checklist item", "", "Answer"], rows, [118 * mm, 20 * mm, 25 * mm], numeric_from=9
        )
    findings = p.get("findings", [])
    if findings:
        rows = [
            [
                para(f.get("category_label", f.get("category", "")), st["cell"]),
                para(f.get("matched", ""), st["cell"]),
                SEVERITY_LABELS.get(f.get("severity"), f.get("severity", "")),
                para(f.get("override_reason") or "—", st["cell"]),
            ]
            for f in findings
        ]
        story.append(Spacer(1, 2 * mm))
        story += pdf_kit.chunked_table(
            ["Finding", "Words", "Severity", "Override reason"],
            rows,
            [35 * mm, 45 * mm, 18 * mm, 65 * mm],
            numeric_from=9,
        )
    else:
        story.append(Paragraph("The risk scan found nothing.", st["note"]))
    rules = p.get("community_rules") or {}
    policy = p.get("policy") or {}
    lines = [
        f"Community rules in force: advice allowed {_yes(rules.get('advice_allowed'))}; "
        f"self-promotion {_yes(rules.get('self_promotion_allowed'))}; signature links "
        f"{_yes(rules.get('signature_links_allowed'))}; promotion limit "
        f"{rules.get('promotion_ratio_limit_pct') if rules.get('promotion_ratio_limit_pct') is not None else 'not recorded'}"
        f"{'%' if rules.get('promotion_ratio_limit_pct') is not None else ''}.",
        f"Policy: {policy.get('insurer') or 'insurer not given'}, number "
        f"{policy.get('policy_number') or 'not given'}; online cover "
        f"{policy.get('online_cover', 'unknown')}, confirmed on "
        f"{policy.get('online_cover_confirmed_on') or 'never'}.",
    ]
    if p.get("community_rules_override"):
        lines.append(f"Community rules overridden because: {p['community_rules_override']}")
    for warning in p.get("warnings", []):
        lines.append(f"Warning recorded: {warning}")
    story.append(Spacer(1, 2 * mm))
    story += [para(line, st["note"]) for line in lines]
    story.append(Paragraph(f"Record hash {esc(record.record_hash)}", st["note"]))
    story.append(Spacer(1, 5 * mm))
    return story


def write_evidence_pdf(
    store: Store,
    date_from: date,
    date_to: date,
    path,
    *,
    deterministic: bool = False,
    progress=None,
) -> int:
    """Render the period's evidence records; returns the page count."""
    st = pdf_kit.styles()
    profile = get_profile(store)
    records = records_between(store, date_from, date_to)
    problem = verify_ledger(store)
    practice = profile.practitioner_name or "Your practice"
    made = date(2000, 1, 1) if deterministic else now_utc().date()
    period = f"{date_from.isoformat()} to {date_to.isoformat()}"
    story: list = [
        Spacer(1, 30 * mm),
        Paragraph("Compliance evidence", st["title"]),
        para(practice, st["subtitle"]),
        para(f"Checks made from {period}", st["subtitle"]),
        para(f"Made on {made.isoformat()} by Outreach {__version__}", st["subtitle"]),
        Spacer(1, 8 * mm),
        Paragraph(
            "Each record below is a compliance check made before an advice post went out: "
            "the exact final text, the checklist it was checked against and the answers, what "
            "the risk scan found, any override with its written reason, the community's rules "
            "and the malpractice policy's cover at the time. Records are append-only and each "
            "carries the hash of the one before it, so a change made outside Outreach shows.",
            st["body"],
        ),
        Spacer(1, 4 * mm),
        para(
            "The ledger's hash chain was verified when this report was made: every record is as "
            "it was written."
            if problem is None
            else f"Warning: the ledger's hash chain is broken. {problem.sentence}",
            st["h2"],
        ),
        para(f"{len(records)} checks in the period.", st["body"]),
    ]
    summary = compliance_summary(store, date_from, date_to)
    if summary.findings_by_category:
        story.append(Spacer(1, 3 * mm))
        story += pdf_kit.chunked_table(
            ["Findings by category", "Count"],
            [[para(name, st["cell"]), f"{n:,}"] for name, n in summary.findings_by_category],
            [100 * mm, 25 * mm],
        )
    story.append(Spacer(1, 2 * mm))
    story.append(
        para(
            f"{len(summary.overrides)} findings were overridden with a written reason; "
            f"{summary.unchecked} advice posts in the period were logged without a check "
            f"(imported) and {summary.changed_after_check} were changed after their check.",
            st["body"],
        )
    )
    if not records:
        story.append(
            para("There are no compliance checks in this period: no data to show.", st["body"])
        )
    else:
        story.append(PageBreak())
        for record in records:
            parts = _record_story(record, st)
            # A check's heading stays with the start of its text.
            story.append(KeepTogether(parts[:5]))
            story += parts[5:]
    return pdf_kit.build_document(
        path,
        story,
        title=f"Compliance evidence {period}",
        author=practice,
        subject="Compliance checks of advice posts (Outreach evidence ledger)",
        header_text=f"{practice} · compliance evidence · {period}",
        deterministic=deterministic,
        progress=progress,
    )
