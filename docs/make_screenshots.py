"""Screenshots of the main pages for the README (`make screenshots`).

Opens the real main window offscreen on a temporary database filled with the
deterministic demo data, shows each page, waits for its background work, and saves
a PNG under docs/screenshots/. Nothing touches the user's data, settings or
keychain: OUTREACH_HOME, the database and Qt's settings live in a temporary folder
that is deleted at the end.

The demo data is generated up to a fixed moment (NOW) and the app's clock is set to
that moment too, so the pages ("this month", "the last 90 days", "follow-ups due")
show the same figures whenever the script runs and the committed PNGs only change
when the app does.

    .venv/bin/python docs/make_screenshots.py [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

# Before Qt or Outreach is imported: no display, UTC (the demo's times are shown in
# local time, so a fixed zone keeps them the same on every machine), English.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["TZ"] = "UTC"
os.environ["LC_ALL"] = os.environ["LANG"] = "C.UTF-8"
os.environ.pop("OUTREACH_DB", None)
if hasattr(time, "tzset"):
    time.tzset()

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (1280, 800)
# Mid-month, so "this month" on the dashboard has two weeks of activity in it.
NOW = _dt.datetime(2025, 6, 18, 15, 0, tzinfo=_dt.UTC)
# A deadline per wait: generous for a slow CI box, yet a hung page fails the run.
IDLE_DEADLINE_S = 60.0
RISKY_DRAFT = (
    "You should stop taking your sertraline and take 5 mg melatonin tonight. "
    "It worked for me and it will work for you."
)


# -- the clock -----------------------------------------------------------------------
class _Meta(type):
    # isinstance(x, date) must stay true for the real dates SQLAlchemy returns
    # after the module's `date` name points at the frozen class.
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, cls.__mro__[1])


_STARTED = time.monotonic()


def _now_utc() -> _dt.datetime:
    # The clock runs on from NOW, so anything that compares two readings still sees
    # time pass.
    return NOW + _dt.timedelta(seconds=time.monotonic() - _STARTED)


class FrozenDate(_dt.date, metaclass=_Meta):
    # date(...), date.combine(...) and the like still make real dates: the sqlite3
    # driver binds only the exact classes.
    def __new__(cls, *args, **kwargs):
        return _dt.date(*args, **kwargs)

    @classmethod
    def today(cls) -> _dt.date:
        return _now_utc().date()


class FrozenDatetime(_dt.datetime, metaclass=_Meta):
    def __new__(cls, *args, **kwargs):
        return _dt.datetime(*args, **kwargs)

    @classmethod
    def now(cls, tz=None) -> _dt.datetime:
        now = _now_utc()
        return now.astimezone(tz) if tz is not None else now.replace(tzinfo=None)

    @classmethod
    def utcnow(cls) -> _dt.datetime:
        return _now_utc().replace(tzinfo=None)


def set_app_clock() -> None:
    """Point every Outreach module's `date` and `datetime` at the frozen clock.

    The modules import the classes by name (`from datetime import date`), so the
    names are replaced in each module; the standard library itself is untouched.
    """
    import importlib
    import pkgutil

    import outreach

    for info in pkgutil.walk_packages(outreach.__path__, "outreach."):
        if info.name.startswith("outreach.migrations") or info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
    for name, module in list(sys.modules.items()):
        if not (name == "outreach" or name.startswith("outreach.")) or module is None:
            continue
        if getattr(module, "date", None) is _dt.date:
            module.date = FrozenDate
        if getattr(module, "datetime", None) is _dt.datetime:
            module.datetime = FrozenDatetime


# -- waiting -------------------------------------------------------------------------
def wait_idle(app, what: str) -> None:
    """Process events until the thread pool is idle and no page says it is busy.

    Pages compute off the GUI thread and post their results back as events, so the
    pool being idle is not enough: the results must also have been delivered.
    """
    from PySide6.QtCore import QEventLoop, QThreadPool

    pool = QThreadPool.globalInstance()
    deadline = time.monotonic() + IDLE_DEADLINE_S
    quiet_rounds = 0
    while quiet_rounds < 3:  # three idle passes in a row: nothing left queued
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        busy = pool.activeThreadCount() > 0 or any(
            getattr(page, "busy", False) for page in _pages(app)
        )
        quiet_rounds = 0 if busy else quiet_rounds + 1
        if busy:
            pool.waitForDone(50)  # blocks on the work itself, not on a fixed delay
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: still busy after {IDLE_DEADLINE_S:.0f} s")


def _pages(app):
    from outreach.ui.main_window import MainWindow

    for widget in app.topLevelWidgets():
        if isinstance(widget, MainWindow):
            yield from (widget.stack.widget(i) for i in range(widget.stack.count()))


# -- saving --------------------------------------------------------------------------
def save_png(widget, path: Path) -> int:
    """Grab the widget and write it as a palette PNG (a UI has few colours; this
    keeps each file well under 100 KB instead of ~150 KB)."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    widget.grab().save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="outreach-shots-") as tmp:
        folder = Path(tmp)
        os.environ["OUTREACH_HOME"] = str(folder / "home")
        shoot(folder, args.out)
    return 0


def shoot(folder: Path, out: Path) -> None:
    import keyring
    from keyring.backends import fail

    # No keychain: the script must never read or write the user's.
    keyring.set_keyring(fail.Keyring())
    set_app_clock()

    from PySide6.QtCore import QLocale, QSettings
    from PySide6.QtWidgets import QApplication

    from outreach.context import PRACTITIONER
    from outreach.services import communities as communities_svc
    from outreach.services.contacts import ContactQuery, list_contacts
    from outreach.services.demo import generate_demo
    from outreach.services.profile import get_profile, mark_welcome_done, save_profile
    from outreach.store import open_store
    from outreach.ui.application import make_application
    from outreach.ui.composer_dialog import ComposerDialog
    from outreach.ui.contact_view import ContactView
    from outreach.ui.main_window import PAGES, MainWindow
    from outreach.ui.privacy_form import attach_privacy
    from outreach.ui.welcome_dialog import WelcomeDialog

    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    # The window saves and restores its geometry and page: keep that in the temp folder.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "qt"))
    app = make_application([sys.argv[0]])
    assert isinstance(app, QApplication)

    store = open_store(folder / "outreach.db")
    actor = PRACTITIONER
    try:
        # The first start, before there is any data (so it offers the demo).
        welcome = WelcomeDialog(store, actor)
        welcome.show()
        wait_idle(app, "welcome")
        size = save_png(welcome, out / "welcome.png")
        print(f"welcome.png: {welcome.width()}x{welcome.height()}, {size / 1024:.0f} KB")
        welcome.reject()

        result = generate_demo(store, actor, scale="small", seed=1, until=NOW)
        print(f"demo data: {result}")
        # What a practitioner fills in first (the demo leaves who they are blank).
        save_profile(
            store,
            actor,
            replace(
                get_profile(store),
                practitioner_name="Dr. A. Demo",
                specialty="Sleep and nutrition",
                licensed_jurisdictions="CA, OR",
            ),
        )
        mark_welcome_done(store, actor)

        store.actor = actor
        window = MainWindow(store, actor)
        window.privacy_notice = attach_privacy(window, store)
        window.resize(*SIZE)
        window.show()
        wait_idle(app, "opening the window")

        def shot(name: str, widget=None) -> None:
            widget = widget or window
            wait_idle(app, name)
            # The status bar names the database file, here in a temporary folder
            # whose random name would change every PNG on every run.
            window.statusBar().showMessage("Database: outreach.db (demo data)")
            size = save_png(widget, out / f"{name}.png")
            print(f"{name}.png: {widget.width()}x{widget.height()}, {size / 1024:.0f} KB")

        for title in PAGES:
            window.show_page(title)
            if title == "Reports":
                wait_idle(app, "Reports")
                window.reports.preview_button.click()
            elif title == "Contacts":
                # A selected contact fills the timeline below the list.
                table = window.contacts.table
                table.setCurrentIndex(table.model().index(0, 0))
            shot(title.lower())

        # The composer with a draft the risk scan blocks, where a practitioner would
        # see it: over the Posts page.
        window.show_page("Posts")
        insomnia = next(
            cid
            for cid, name in communities_svc.community_choices(store, include_archived=False)
            if name == "r/insomnia"
        )
        composer = ComposerDialog(
            store,
            actor,
            community_id=insomnia,
            kind="advice",
            title="Coming off sertraline for sleep?",
            body=RISKY_DRAFT,
            parent=window,
        )
        composer.resize(1100, 760)
        composer.show()
        composer.flush()  # evaluate now rather than after the typing delay
        shot("composer", composer)
        composer.reject()

        # One contact's page: the first patient in the list.
        window.show_page("Contacts")
        rows = list_contacts(store, ContactQuery(limit=50, today=NOW.date())).rows
        contact = next((r for r in rows if getattr(r, "stage", "") == "patient"), rows[0])
        view = ContactView(store, actor, contact.id, page=window.contacts, parent=window)
        view.resize(900, 560)
        view.show()
        shot("contact", view)
        view.reject()

        window.close()
        wait_idle(app, "closing")
    finally:
        store.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
