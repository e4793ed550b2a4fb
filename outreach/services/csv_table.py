"""Reading and writing the CSV files people bring from spreadsheets.

Excel writes UTF-8 with a BOM ("CSV UTF-8"), a German-locale Excel writes cp1252
with semicolons, and csv.Sniffer guesses wrong on single-column files: so decode
strictly with fallbacks, sniff with a sanity check, and let the user correct the
column mapping.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = (",", ";", "\t")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SNIFF_BYTES = 64 * 1024


class CsvError(Exception):
    """A problem with the file as a whole, in one sentence for the user."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    encoding: str
    delimiter: str


def read_table(path) -> Table:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvError(f"Cannot open {path}: {exc.strerror or exc}. Check the file name.") from exc
    text, encoding = _decode(raw, path)
    return _parse(text, encoding)


def read_table_text(text: str) -> Table:
    return _parse(text, "utf-8")


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise CsvError(
            f"{path.name} is not text in UTF-8 or Windows-1252; save it from your "
            'spreadsheet as "CSV UTF-8" and try again.'
        ) from None


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def _delimiter(text: str) -> str:
    header = _first_line(text)
    counted = max(DELIMITERS, key=lambda d: (header.count(d), d == ","))
    if header.count(counted) == 0:
        counted = ","
    try:
        sniffed = csv.Sniffer().sniff(text[:SNIFF_BYTES], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return counted
    if sniffed not in header and header.count(counted):
        return counted
    return sniffed


def normalize_header(header: str) -> str:
    return re.sub(r"[\s_\-.]+", " ", header.casefold()).strip()


def _parse(text: str, encoding: str) -> Table:
    if not text.strip():
        raise CsvError("The file is empty: there is no header row and no data.")
    delimiter = _delimiter(text)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    number = 0
    headers: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    for record in records:
        number += 1
        cells = [cell.strip() for cell in record]
        if not any(cells):
            if headers is None:
                number -= 1  # leading blank lines come before "row 1"
            continue
        if headers is None:
            headers = cells
            continue
        rows.append(cells)
        numbers.append(number)
    assert headers is not None
    seen: dict[str, str] = {}
    for header in headers:
        key = normalize_header(header)
        if key and key in seen:
            raise CsvError(
                f"The column '{header}' appears twice (as '{seen[key]}' too); "
                "rename or remove one and try again."
            )
        seen[key] = header
    return Table(
        headers=headers, rows=rows, row_numbers=numbers, encoding=encoding, delimiter=delimiter
    )


def auto_map(headers: list[str], fields: dict[str, tuple[str, ...]]) -> dict[str, str | None]:
    """Field -> the header that names it (exact field names win over synonyms)."""
    by_key = {normalize_header(h): h for h in headers}
    used: set[str] = set()
    mapping: dict[str, str | None] = dict.fromkeys(fields)
    for field in fields:
        header = by_key.get(normalize_header(field))
        if header is not None:
            mapping[field] = header
            used.add(header)
    for field, synonyms in fields.items():
        if mapping[field] is not None:
            continue
        for synonym in synonyms:
            header = by_key.get(normalize_header(synonym))
            if header is not None and header not in used:
                mapping[field] = header
                used.add(header)
                break
    return mapping


def apply_overrides(
    mapping: dict[str, str | None], overrides: dict[str, str], headers: list[str]
) -> dict[str, str | None]:
    result = dict(mapping)
    by_key = {normalize_header(h): h for h in headers}
    for field, wanted in overrides.items():
        if field not in result:
            raise CsvError(
                f"Unknown field '{field}' in --map; the fields are: {', '.join(result)}."
            )
        if not wanted.strip():
            result[field] = None
            continue
        header = by_key.get(normalize_header(wanted))
        if header is None:
            raise CsvError(
                f"The file has no column '{wanted}' (for field '{field}'); "
                f"its columns are: {', '.join(headers)}."
            )
        for other, current in result.items():
            if current == header and other != field:
                result[other] = None
        result[field] = header
    return result


def record(table: Table, mapping: dict[str, str | None], row: list[str]) -> dict[str, str]:
    index = {h: i for i, h in enumerate(table.headers)}
    values = {}
    for field, header in mapping.items():
        position = index.get(header) if header is not None else None
        values[field] = row[position] if position is not None and position < len(row) else ""
    return values


def safe_cell(value):
    """Spreadsheets run a cell starting with = + - @ as a formula; quote such text.
    Only strings: a negative number must stay a number."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_table(path, headers: list[str], rows: Iterable[Iterable[object]]) -> int:
    """Write atomically (temp file, then rename): a failure leaves no half file."""
    path = Path(path)
    count = 0
    handle = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
            writer.writerow([safe_cell(h) for h in headers])
            for row in rows:
                writer.writerow([safe_cell(cell) for cell in row])
                count += 1
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(path, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def _write_error(path: Path, exc: OSError) -> CsvError:
    return CsvError(
        f"Could not write {path}: {exc.strerror or exc}. Check there is free space and "
        "that the file is not open in another program."
    )
