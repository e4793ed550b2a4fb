"""Cold start and memory, each measured in a fresh process under
QT_QPA_PLATFORM=offscreen beside a bare PySide6 process that shows an empty
QMainWindow (the floor any Qt app pays).

The app signals "painted with the Dashboard's figures" through its benchmark hook:
with OUTREACH_BENCH_EXIT_WHEN_READY=1 it prints ``OUTREACH_READY <time.time()>``
once the Dashboard's headline figures (this month against last month, and the
"Needs attention" counts) are painted, then quits (outreach/ui/dashboard_page.py;
bench/README.md says what is and is not included).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

READY = "OUTREACH_READY"
RSS = "OUTREACH_RSS_KB"

# Resident memory: /proc/self/status VmRSS on Linux (the current resident set);
# elsewhere resource.getrusage's ru_maxrss (the peak, KB on Linux, bytes on macOS).
RSS_CODE = r"""
def _rss_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]), "VmRSS"
    except OSError:
        pass
    import resource, sys
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (peak // 1024 if sys.platform == "darwin" else peak), "ru_maxrss"
"""

BARE = (
    RSS_CODE
    + r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 800)
window.show()

def ready():
    window.repaint()
    print(f"OUTREACH_READY {time.time():.6f}", flush=True)
    kb, how = _rss_kb()
    print(f"OUTREACH_RSS_KB {kb} {how}", flush=True)
    app.quit()

QTimer.singleShot(0, ready)
app.exec()
"""
)

# The app's own window on the database, every page visited in the sidebar's
# order, the Dashboard's figures and the Reports page's first report waited for.
VISIT = (
    RSS_CODE
    + r"""
import sys, time
from PySide6.QtWidgets import QApplication
from outreach.store import open_store
from outreach.ui.application import make_application, open_main_window
from outreach.ui.main_window import PAGES

app = make_application()
store = open_store(sys.argv[1])
window = open_main_window(store)

def settle(seconds=60.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        busy = [p for p in (window.dashboard, window.reports) if getattr(p, "busy", False)]
        if not busy:
            return
        time.sleep(0.01)

for title in PAGES:
    window.show_page(title)
    settle()
window.repaint()
settle()
kb, how = _rss_kb()
print(f"OUTREACH_RSS_KB {kb} {how}", flush=True)
"""
)


def bench_env(work: Path) -> dict[str, str]:
    """Offscreen, with its own data and settings folders: the user's window
    geometry, logs and backups stay out of it, and it starts on the Dashboard."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        OUTREACH_HOME=str(work / "home"),
        XDG_CONFIG_HOME=str(work / "config"),
        XDG_DATA_HOME=str(work / "data"),
        XDG_STATE_HOME=str(work / "state"),
        XDG_RUNTIME_DIR=str(work / "runtime"),
    )
    env.pop("OUTREACH_DB", None)
    # Compiled bytecode, as an installed app has it (pip compiles a wheel's modules,
    # PyInstaller bundles .pyc): with PYTHONDONTWRITEBYTECODE (set on the shared
    # machines) every start compiled the app's ~100 modules again, ~0.15 s that no
    # user pays. The cache lives in the run's folder, filled by the untimed warm-up
    # start, so the checkout is not touched; the bare baseline runs with it too.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    (work / "runtime").mkdir(parents=True, exist_ok=True)
    os.chmod(work / "runtime", 0o700)
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> tuple[float, dict]:
    """(milliseconds from just before the process was started to its READY line,
    everything it printed as key -> rest of line)."""
    start = time.time()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    lines = {}
    for line in done.stdout.splitlines():
        key, _, rest = line.partition(" ")
        lines[key] = rest
    if done.returncode != 0 or (READY not in lines and RSS not in lines):
        raise RuntimeError(
            f"{args[-1] if len(args) < 4 else args[:3]} exited {done.returncode}:\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )
    ready = (float(lines[READY].split()[0]) - start) * 1000 if READY in lines else 0.0
    return ready, lines


def app_command(db: Path) -> list[str]:
    # The console script a user runs, with its own argument parsing and imports.
    return [
        sys.executable,
        "-c",
        "import sys; from outreach.cli import main; sys.exit(main(sys.argv[1:]))",
        "--db",
        str(db),
    ]


def bare_start(env: dict[str, str]) -> tuple[float, int, str]:
    ready, lines = _run([sys.executable, "-c", BARE], env)
    kb, how = lines[RSS].split()
    return ready, int(kb), how


def app_start(db: Path, env: dict[str, str]) -> tuple[float, str]:
    """(milliseconds to the painted window, where its figures came from: "kept"
    in the database and read at start, or "worked-out" by the store)."""
    env = dict(env, OUTREACH_BENCH_EXIT_WHEN_READY="1")
    ready, lines = _run(app_command(db), env)
    return ready, lines[READY].split()[1]


def visit_every_page(db: Path, env: dict[str, str]) -> tuple[int, str]:
    _ready, lines = _run([sys.executable, "-c", VISIT, str(db)], env, timeout=300)
    kb, how = lines[RSS].split()
    return int(kb), how
