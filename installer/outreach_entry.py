"""The frozen build's one entry script, shared by both executables.

The spec builds it twice into one folder: `outreach` (a console program, the
command line; with no command it opens the app) and `outreach-gui` (windowed, for
shortcuts and the macOS .app, so no console window flashes up). One script keeps
a single analysis of the imports; the executable's own name picks the entry point.
"""

import sys
from pathlib import Path


def _main() -> int:
    if Path(sys.executable).stem.lower().endswith("-gui"):
        from outreach.app import main
    else:
        from outreach.cli import main
    return main()


if __name__ == "__main__":
    sys.exit(_main())
