"""Outreach: a local-first CRM for clinicians' outreach in online patient communities."""

from importlib.metadata import PackageNotFoundError, version


def _version() -> str:
    # pyproject.toml is the one place the version is written; a frozen build
    # carries the package metadata (the PyInstaller spec copies it).
    try:
        return version("outreach")
    except PackageNotFoundError:
        return "0.0.0+unknown"


__version__ = _version()
APP_NAME = "Outreach"
