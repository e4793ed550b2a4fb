"""Reading and writing the CSV files people bring from and take to spreadsheets.

Excel writes UTF-8 with a BOM ("CSV UTF-8"), an Excel set to a European locale
writes Windows-1252 with semicolons, and csv.Sniffer guesses wrong on some files:
so decode strictly with one fallback, sniff with a sanity check, refuse what
cannot be read reliably with a sentence the user can act on, and let the user
correct the column mapping. Exports defuse formula injection and are written
atomically so a failed export never destroys the previous file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = (",", ";", "\t")
# Spreadsheets evaluate a cell starting with any of these as a formula (OWASP
# "CSV injection"); tab and CR are there because some programs strip them first.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SNIFF_CHARS = 64 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
_SEPARATORS = re.compile(r"[\s_\-.]+")


class CsvError(Exception):
    """A problem with the file as a whole; str(e) says what is wrong and what to do."""


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
        raise CsvError(
            f"Cannot open {path}: {exc.strerror or exc}; check the name and that it is a file, "
            "not a folder."
        ) from exc
    text, encoding = _decode(raw, path)
    return _parse(text, encoding, path)


def read_table_text(text: str) -> Table:
    # Text read elsewhere with plain "utf-8" keeps the BOM as U+FEFF, which would
    # otherwise stick to the first header and stop it matching any field.
    return _parse(text.removeprefix("\ufeff"), "utf-8", None)


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    # UTF-16 exports and workbooks (.xlsx is a zip) are full of NULs and would
    # "decode" as cp1252 into garbage; no real CSV text contains a NUL.
    if b"\x00" not in raw:
        if raw.startswith(UTF8_BOM):
            with contextlib.suppress(UnicodeDecodeError):
                return raw.decode("utf-8-sig"), "utf-8-sig"
        else:
            with contextlib.suppress(UnicodeDecodeError):
                return raw.decode("utf-8"), "utf-8"
        # Strict UTF-8 almost never accepts cp1252 text by accident, so only now
        # fall back; cp1252 itself rejects its five undefined bytes.
        with contextlib.suppress(UnicodeDecodeError):
            return raw.removeprefix(UTF8_BOM).decode("cp1252"), "cp1252"
    raise CsvError(
        f"{path} is not text in UTF-8 or Windows-1252; open it in your spreadsheet, "
        'save it as "CSV UTF-8" and choose that file.'
    )


def _delimiter(text: str) -> str:
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        # A cut-off last line looks inconsistent to the sniffer.
        sample = sample[: sample.rindex("\n")]
    header = next((line for line in sample.splitlines() if line.strip()), "")
    # max() keeps the first of equal counts, so "," wins ties (and an empty header).
    counted = max(DELIMITERS, key=header.count)
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        # Sniffer cannot decide on single-column files.
        return counted
    if sniffed not in header and header.count(counted):
        # Commas inside quoted cells of a ";" file can outvote the real delimiter.
        return counted
    return sniffed


def normalize_header(header: str) -> str:
    return _SEPARATORS.sub(" ", header.casefold()).strip()


def _parse(text: str, encoding: str, path: Path | None) -> Table:
    if not text.strip():
        raise _empty_error(path)
    delimiter = _delimiter(text)
    # strict: an unclosed quote would otherwise silently swallow every later row.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    headers: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    number = 0
    while True:
        start_line = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            raise CsvError(
                f"Cannot read the row starting on line {start_line} ({exc}); check that every "
                'quote mark (") in it is closed, or save the file again from your spreadsheet.'
            ) from exc
        if cells is None:
            break
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            # Blank lines before the header do not push the header off row 1;
            # later ones still count so row numbers match the spreadsheet.
            if headers is not None:
                number += 1
            continue
        number += 1
        if headers is None:
            headers = cells
        else:
            rows.append(cells)
            numbers.append(number)
    if headers is None:  # only delimiters and spaces, e.g. ",,,"
        raise _empty_error(path)
    _check_unique(headers)
    return Table(
        headers=headers, rows=rows, row_numbers=numbers, encoding=encoding, delimiter=delimiter
    )


def _empty_error(path: Path | None) -> CsvError:
    where = f"{path} has no header row" if path else "there is no header row"
    return CsvError(
        f"The file is empty: {where}; choose a CSV file with column names in its first row."
    )


def _check_unique(headers: list[str]) -> None:
    seen: dict[str, str] = {}
    for header in headers:
        key = normalize_header(header)
        # Several unnamed columns are common (trailing empty columns in Excel) and
        # harmless: an empty header never matches a field.
        if not key:
            continue
        if key in seen:
            raise CsvError(
                f"The column '{header}' appears twice (also as '{seen[key]}'); rename or remove "
                "one of them and try again."
            )
        seen[key] = header


def auto_map(headers: list[str], fields: dict[str, tuple[str, ...]]) -> dict[str, str | None]:
    """Field -> the header that names it; exact field names win over synonyms."""
    by_key = {normalize_header(h): h for h in headers if normalize_header(h)}
    used: set[str] = set()
    mapping: dict[str, str | None] = dict.fromkeys(fields)
    for field in fields:
        header = by_key.get(normalize_header(field))
        if header is not None and header not in used:
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
    by_key = {normalize_header(h): h for h in headers if normalize_header(h)}
    chosen: dict[str, str] = {}
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
                f"its columns are: {', '.join(h for h in headers if h)}."
            )
        if header in chosen:
            # Silently letting the later one win would drop data the user asked for.
            raise CsvError(
                f"The column '{header}' is given for both '{chosen[header]}' and '{field}' "
                "in --map; give each column to one field only."
            )
        chosen[header] = field
        for other, current in result.items():
            if current == header and other != field:
                result[other] = None
        result[field] = header
    return result


def record(table: Table, mapping: dict[str, str | None], row: list[str]) -> dict[str, str]:
    index = {h: i for i, h in enumerate(table.headers) if h}
    values: dict[str, str] = {}
    for field, header in mapping.items():
        position = index.get(header) if header else None
        values[field] = row[position] if position is not None and position < len(row) else ""
    return values


def safe_cell(value) -> object:
    """Quote text a spreadsheet would run as a formula; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_table(path, headers: list[str], rows: Iterable[Iterable[object]]) -> int:
    path = Path(path)
    # Same folder so os.replace is an atomic rename, not a cross-device copy.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        # "x" creates the file with the usual permissions (unlike mkstemp's 0600)
        # and never clobbers anything, so the cleanup below only removes our own file.
        handle = open(tmp, "x", encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        raise _write_error(path, exc) from exc
    count = 0
    try:
        with handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
            writer.writerow([safe_cell(h) for h in headers])
            for row in rows:
                writer.writerow([safe_cell(cell) for cell in row])
                count += 1
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from exc
        raise
    return count


def _write_error(path: Path, exc: OSError) -> CsvError:
    return CsvError(
        f"Could not write {path}: {exc.strerror or exc}. Check there is free space "
        "and that the file is not open in another program."
    )
