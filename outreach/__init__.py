"""Outreach: a local-first CRM for clinicians' outreach in online patient communities."""

# The one place the version is written: pyproject.toml reads it from here
# (tool.setuptools.dynamic), and a start needs no package metadata to know it.
__version__ = "0.1.0"
APP_NAME = "Outreach"
