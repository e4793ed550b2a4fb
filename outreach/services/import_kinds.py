"""Every kind of CSV import in one table, so the app's import dialog and the
command line offer the same ones with the same fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import importers, intake_import


@dataclass(frozen=True)
class ImportKind:
    title: str
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    run: Callable  # (store, actor, path, overrides, dry_run, progress) -> result with .summary()


def _plain(kind):
    def run(store, actor, path, overrides=None, dry_run=False, progress=None):
        return importers.import_file(store, actor, kind, path, overrides, dry_run, progress)

    return run


IMPORT_KINDS: dict[str, ImportKind] = {
    "communities": ImportKind(
        "communities",
        importers.COMMUNITY_FIELDS,
        importers.REQUIRED["communities"],
        _plain("communities"),
    ),
    "posts": ImportKind(
        "posts", importers.POST_FIELDS, importers.REQUIRED["posts"], _plain("posts")
    ),
    "intake": ImportKind(
        "intake forms",
        intake_import.INTAKE_FIELDS,
        ("submitted_on", "email, phone or name"),
        intake_import.import_intake,
    ),
    "revenue": ImportKind(
        "payments",
        intake_import.REVENUE_FIELDS,
        ("date", "amount", "email, phone or name"),
        intake_import.import_revenue,
    ),
}


def preview(kind: str, path, sample_rows: int = 5) -> importers.ImportPreview:
    from .csv_table import auto_map, read_table, record

    spec = IMPORT_KINDS[kind]
    table = read_table(path)
    mapping = auto_map(table.headers, spec.fields)
    return importers.ImportPreview(
        kind=kind,
        headers=table.headers,
        mapping=mapping,
        encoding=table.encoding,
        delimiter=table.delimiter,
        row_count=len(table.rows),
        sample=[record(table, mapping, row) for row in table.rows[:sample_rows]],
    )
