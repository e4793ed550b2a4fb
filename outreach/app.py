"""The gui-script entry point (outreach-gui): Qt is imported only when the app starts."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None, db: str | None = None) -> int:
    from .ui.application import run

    return run(db)


if __name__ == "__main__":
    sys.exit(main())
