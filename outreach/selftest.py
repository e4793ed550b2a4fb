"""`outreach self-test`: does this installation work, from a checkout or a frozen build?

Every step goes through the same services the app uses, on a temporary database
that is deleted afterwards, so the user's own data is never opened. Qt is imported
only inside the window step: the rest must run (and fail clearly) without it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from importlib import resources as _resources
from pathlib import Path
from typing import TextIO

from . import __version__
from .context import PRACTITIONER, Actor

# Files the frozen build must carry: each is read through the same lookup the app
# uses (paths.resource() or importlib.resources), so a spec that forgets one fails here.
RESOURCE_FILES = (
    "community_catalog.json",
    "default_checklist.json",
    "risk_patterns.json",
    "crisis_reply.txt",
    "fonts/DejaVuSans.ttf",
)
# Words the risk scan does not flag: the compliance step must pass on its merits,
# not by an override.
ADVICE_TEXT = (
    "Keeping the same wake-up time every day, weekends included, helps many people "
    "settle into a steadier sleep pattern over a few weeks."
)


class SelfTestFailure(Exception):
    """A step ran but found something wrong (as opposed to raising on its own)."""


@dataclass
class _State:
    """What the steps hand each other."""

    folder: Path
    actor: Actor
    store: object = None
    ids: dict[str, int] = field(default_factory=dict)
    checked_text: str = ""


@dataclass(frozen=True)
class StepResult:
    name: str
    seconds: float
    detail: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


# -- the steps ---------------------------------------------------------------


def _step_resources(state: _State) -> str:
    from .paths import resource

    for name in RESOURCE_FILES:
        try:
            path = resource(name)
        except FileNotFoundError as exc:
            raise SelfTestFailure(str(exc)) from None
        _expect(path.stat().st_size > 0, f"{name} is empty")
        # The second lookup is the one checklist.py and risk_scan.py use.
        packaged = _resources.files("outreach.resources").joinpath(name)
        _expect(packaged.is_file(), f"importlib.resources cannot find {name}")
    return f"{len(RESOURCE_FILES)} files found both ways"


def _step_migrate(state: _State) -> str:
    from .migrate import current_revision
    from .migrations import HEAD_REVISION
    from .store import open_store

    state.store = open_store(state.folder / "selftest.db")
    revision = current_revision(state.store)
    _expect(revision == HEAD_REVISION, f"schema is {revision}, expected {HEAD_REVISION}")
    return f"schema {revision}"


def _step_records(state: _State) -> str:
    from .services import communities, contacts, ledger, posts, referrals
    from .timeutil import now_utc

    store, actor, today = state.store, state.actor, date.today()
    community_id = communities.create_community(
        store,
        actor,
        communities.CommunityData(
            name="Self-test sleep forum",
            platform="other",
            url="https://example.org/sleep",
            advice_allowed=True,
            self_promotion_allowed=False,
            intake_code="SELFTEST",
        ),
    )
    _expect(
        communities.get_community(store, community_id).name == "Self-test sleep forum",
        "the community did not read back",
    )
    when = now_utc() - timedelta(hours=2)
    post_id = posts.create_post(
        store,
        actor,
        posts.PostData(
            community_id=community_id,
            posted_at=when,
            kind="education",
            title="Self-test post",
            body="How sleep pressure builds during the day.",
            minutes_spent=20,
        ),
    )
    row = posts.get_post(store, post_id)
    _expect(row.title == "Self-test post" and row.minutes_spent == 20, "the post did not read back")
    contact_id = contacts.create_contact(
        store,
        actor,
        contacts.ContactData(
            handle="selftest_reader",
            email="reader@example.org",
            first_community_id=community_id,
            first_post_id=post_id,
        ),
    )
    _expect(
        contacts.get_contact(store, contact_id).handle == "selftest_reader",
        "the contact did not read back",
    )
    contacts.log_interaction(
        store,
        actor,
        contact_id,
        contacts.InteractionData(
            occurred_at=when + timedelta(minutes=30),
            channel="community_reply",
            minutes=5,
            post_id=post_id,
        ),
    )
    _expect(
        any(e.kind == "interaction" for e in contacts.timeline(store, contact_id)),
        "the interaction is not on the contact's timeline",
    )
    referrals.save_referral(
        store,
        actor,
        contact_id,
        referrals.ReferralData(
            sent_on=today, completed_on=today, intake_code="SELFTEST", first_visit_on=today
        ),
    )
    saved = referrals.get_referral(store, contact_id)
    _expect(saved is not None and saved.first_visit_on == today, "the referral did not read back")
    _expect(contacts.get_contact(store, contact_id).stage == "patient", "the stage did not advance")
    ledger.add_revenue(store, actor, contact_id, today, 15000, "first visit")
    _expect(ledger.total_revenue(store, contact_id) == 15000, "the revenue did not read back")
    ledger.add_cost(store, actor, community_id, today, 2500, "self-test cost")
    _expect(
        [e.amount_cents for e in ledger.costs_for(store, community_id)] == [2500],
        "the cost did not read back",
    )
    state.ids.update(community=community_id, post=post_id, contact=contact_id)
    return "community, post, contact, interaction, referral, revenue, cost"


def _step_compliance(state: _State) -> str:
    from .services.checklist import current_checklist
    from .services.compliance import Draft, record_check
    from .services.profile import get_profile, save_profile

    store, actor = state.store, state.actor
    # The gate refuses advice until the policy's online cover is confirmed.
    save_profile(
        store,
        actor,
        replace(
            get_profile(store),
            practitioner_name="Self-test practice",
            hourly_rate_cents=12000,
            online_cover="advice",
            online_cover_confirmed_on=date.today(),
        ),
    )
    checklist = current_checklist(store)
    answers = {item.key: True for item in checklist.items}
    draft = Draft(community_id=state.ids["community"], body=ADVICE_TEXT, kind="advice")
    record = record_check(store, actor, draft, answers)
    state.ids["check"] = record.id
    state.checked_text = record.final_text
    return f"check {record.id} passed ({len(checklist.items)} checklist items)"


def _step_advice_post(state: _State) -> str:
    from .services import posts
    from .timeutil import now_utc

    post_id = posts.create_post(
        state.store,
        state.actor,
        posts.PostData(
            community_id=state.ids["community"],
            posted_at=now_utc() - timedelta(minutes=10),
            kind="advice",
            title="Self-test advice",
            body=state.checked_text,
            minutes_spent=15,
        ),
        check_id=state.ids["check"],
    )
    status = posts.get_post(state.store, post_id).check_status
    _expect(status == "checked", f"the advice post's check status is {status!r}")
    return "advice post logged as checked"


def _pdf_pages(path: Path, pages: int, what: str) -> None:
    _expect(pages >= 1, f"the {what} has no pages")
    with open(path, "rb") as handle:
        _expect(handle.read(5) == b"%PDF-", f"the {what} is not a PDF")


def _step_roi_pdf(state: _State) -> str:
    from .services.roi import Period, roi_report
    from .services.roi_pdf import write_roi_pdf

    today = date.today()
    report = roi_report(state.store, Period(today - timedelta(days=29), today))
    path = state.folder / "roi.pdf"
    pages = write_roi_pdf(report, path, practice_name="Self-test practice")
    _pdf_pages(path, pages, "ROI report")
    return f"{pages} pages, {path.stat().st_size // 1024} KB"


def _step_evidence_pdf(state: _State) -> str:
    from .services.evidence_pdf import write_evidence_pdf

    today = date.today()
    path = state.folder / "evidence.pdf"
    pages = write_evidence_pdf(state.store, today - timedelta(days=29), today, path)
    _pdf_pages(path, pages, "evidence report")
    return f"{pages} pages, {path.stat().st_size // 1024} KB"


def _step_ledger(state: _State) -> str:
    from .services.dbcheck import check_database
    from .services.evidence import verify_ledger

    problem = verify_ledger(state.store)
    _expect(problem is None, f"the evidence chain is broken: {problem}")
    report = check_database(state.store)
    _expect(report.ok, "; ".join(report.problems) or "db check failed")
    return "evidence chain intact, db check ok"


def _step_imports(state: _State) -> str:
    """Import every module of the app, the UI's included: the app imports some only
    when a feature is used, and a frozen build that lacks one (or a Qt module the
    spec left out) must fail here, not in a practitioner's hands."""
    import importlib
    import pkgutil

    import outreach

    names = [
        info.name
        for info in pkgutil.walk_packages(outreach.__path__, "outreach.")
        # env.py runs Alembic on import (the migrate step has used the rest), and
        # a __main__ module runs its program.
        if not info.name.startswith("outreach.migrations") and not info.name.endswith("__main__")
    ]
    _expect(any(n.startswith("outreach.ui.") for n in names), "the UI modules are missing")
    for name in names:
        importlib.import_module(name)
    return f"{len(names)} modules"


def _step_window(state: _State) -> str:
    # Qt is imported here only: every other step must work without a display. A Linux
    # box without one (CI, ssh) gets the offscreen platform; Windows and macOS always
    # have their own, and a real display tests the platform plugin the build carries.
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, QThreadPool
    from PySide6.QtWidgets import QApplication

    from .ui.main_window import MainWindow

    # The window saves its geometry on close: keep that away from the user's settings.
    previous_format = QSettings.defaultFormat()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(state.folder / "qt")
    )
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "outreach"])
    window = MainWindow(state.store, state.actor)
    try:
        window.show()
        app.processEvents()
        _expect(window.isVisible(), "the main window did not show")
        pages = window.stack.count()
    finally:
        window.close()
        # Pages load in the thread pool; let them finish before the database goes.
        QThreadPool.globalInstance().waitForDone(10_000)
        app.processEvents()
        window.deleteLater()
        app.processEvents()
        QSettings.setDefaultFormat(previous_format)
    return f"{pages} pages, platform {app.platformName()}"


STEPS: list[tuple[str, Callable[[_State], str]]] = [
    ("resources", _step_resources),
    ("migrate a temporary database", _step_migrate),
    ("write and read each kind of record", _step_records),
    ("compliance check", _step_compliance),
    ("log the checked advice post", _step_advice_post),
    ("ROI report PDF", _step_roi_pdf),
    ("evidence PDF", _step_evidence_pdf),
    ("verify the evidence ledger", _step_ledger),
    ("import every module", _step_imports),
    ("open and close the main window", _step_window),
]
# The steps that need Qt (run_self_test(window=False) leaves them out).
QT_STEPS = (_step_imports, _step_window)


def run_self_test(
    out: TextIO | None = None, *, window: bool = True, actor: Actor = PRACTITIONER
) -> int:
    """Run every step, print one line each; 0 when all pass, 1 at the first failure."""
    out = out or sys.stdout
    frozen = "frozen build" if getattr(sys, "frozen", False) else "from source"
    print(f"Outreach {__version__} self-test ({frozen}, Python {sys.version.split()[0]})", file=out)
    started = time.perf_counter()
    results: list[StepResult] = []
    # ignore_cleanup_errors: on Windows a file SQLite just closed can stay locked briefly.
    with tempfile.TemporaryDirectory(
        prefix="outreach-selftest-", ignore_cleanup_errors=True
    ) as tmp:
        state = _State(folder=Path(tmp), actor=actor)
        try:
            for name, step in STEPS:
                if step in QT_STEPS and not window:
                    continue
                result = _run_step(name, step, state)
                results.append(result)
                _print_result(result, out)
                if not result.ok:
                    break
        finally:
            if state.store is not None:
                state.store.dispose()
    total = time.perf_counter() - started
    failed = next((r for r in results if not r.ok), None)
    if failed:
        print(f"Self-test FAILED at step '{failed.name}': {failed.error}", file=out)
        return 1
    print(f"Self-test passed: {len(results)} steps in {total:.2f} s.", file=out)
    return 0


def _run_step(name: str, step: Callable[[_State], str], state: _State) -> StepResult:
    started = time.perf_counter()
    try:
        detail = step(state)
    except SelfTestFailure as exc:
        return StepResult(name, time.perf_counter() - started, error=str(exc))
    except Exception as exc:
        # The trace goes to stderr: a frozen build has no other place to show it.
        sys.stdout.flush()
        traceback.print_exc(file=sys.stderr)
        return StepResult(name, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
    return StepResult(name, time.perf_counter() - started, detail=detail)


def _print_result(result: StepResult, out: TextIO) -> None:
    mark = "ok  " if result.ok else "FAIL"
    text = result.detail if result.ok else result.error
    print(f"  {mark} {result.name:<36} {result.seconds:6.2f} s  {text}", file=out)
