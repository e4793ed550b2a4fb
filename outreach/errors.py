"""Errors a user can cause, each carrying a sentence that says what to do next."""

from __future__ import annotations


class OutreachError(Exception):
    """Base of errors whose message is meant for the user as it stands."""


class ValidationError(OutreachError):
    """One or more fields are wrong; ``errors`` maps field name to the reason."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__(
            " ".join(f"{_label(field)}: {reason}" for field, reason in self.errors.items())
        )


class NotFound(OutreachError):
    pass


class Conflict(OutreachError):
    """The action would break a rule about other records (e.g. posts left orphaned)."""


class ComplianceError(OutreachError):
    """The compliance gate refuses the action; the message says what to do."""


class StoreError(OutreachError):
    """The database cannot be opened or upgraded as asked."""


class DatabaseNewerError(StoreError):
    pass


class MigrationFailed(StoreError):
    pass


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


class Cancelled(OutreachError):
    """The user cancelled a long operation; nothing was changed."""

    def __init__(self, message: str = "Cancelled; nothing was changed."):
        super().__init__(message)


class ChangedElsewhere(Conflict):
    """Optimistic locking: the record was saved by someone else (another desk)
    after this copy of it was read, so saving would silently undo their change."""

    SENTENCE = (
        "This record was changed by someone else since you opened it; reload it and make "
        "your change again."
    )

    def __init__(self, message: str = SENTENCE):
        super().__init__(message)


def check_version(record, expected: int | None) -> None:
    """Refuse to save over a newer version than the one the user opened."""
    if expected is not None and record.version != expected:
        raise ChangedElsewhere()
