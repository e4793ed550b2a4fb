from __future__ import annotations

import os

import pytest

from outreach.services import csv_table
from outreach.services.csv_table import (
    CsvError,
    apply_overrides,
    auto_map,
    normalize_header,
    read_table,
    read_table_text,
    record,
    safe_cell,
    write_table,
)

FIELDS = {"posted_at": ("date", "when"), "minutes_spent": ("minutes",), "title": ("subject",)}


def write(tmp_path, data: bytes, name="f.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("name,city\nMüller,Köln\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "name,city\nMüller,Köln\n".encode(), "utf-8-sig"),
        ("name,city\nMüller,Köln\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings(tmp_path, data, encoding):
    table = read_table(write(tmp_path, data))
    assert table.encoding == encoding
    assert table.headers == ["name", "city"]
    assert table.rows == [["Müller", "Köln"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(delimiter):
    table = read_table_text(f"a{delimiter}b{delimiter}c\n1{delimiter}2{delimiter}3\n")
    assert table.delimiter == delimiter and table.rows == [["1", "2", "3"]]


def test_single_column_file():
    table = read_table_text("name\nr/insomnia\nr/sleep\n")
    assert table.headers == ["name"] and len(table.rows) == 2


def test_quoted_cells_keep_delimiters_newlines_and_quotes():
    table = read_table_text('title,body\n"a, b","line 1\nline ""2"""\n')
    assert table.rows == [["a, b", 'line 1\nline "2"']]


def test_blank_rows_are_skipped_but_counted():
    table = read_table_text("a,b\n1,2\n,\n\n3,4\n")
    assert table.rows == [["1", "2"], ["3", "4"]]
    assert table.row_numbers == [2, 5]


def test_duplicate_headers_are_refused():
    with pytest.raises(CsvError, match="appears twice"):
        read_table_text("Title,title \n1,2\n")


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(CsvError, match="empty"):
        read_table(write(tmp_path, b"\n \n"))
    with pytest.raises(CsvError, match="Cannot open"):
        read_table(tmp_path / "missing.csv")


def test_normalize_header():
    assert normalize_header(" Posted_At ") == "posted at"
    assert normalize_header("Minutes-Spent") == "minutes spent"


def test_auto_map_by_case_spacing_synonyms_with_exact_names_first():
    mapping = auto_map(["When", "Posted At", "Minutes", "Body"], FIELDS)
    assert mapping == {"posted_at": "Posted At", "minutes_spent": "Minutes", "title": None}


def test_overrides():
    headers = ["Date", "Effort", "Subject"]
    mapping = auto_map(headers, FIELDS)
    with pytest.raises(CsvError, match="Unknown field 'nope'"):
        apply_overrides(mapping, {"nope": "Date"}, headers)
    with pytest.raises(CsvError, match="no column 'Missing'"):
        apply_overrides(mapping, {"title": "Missing"}, headers)
    assert apply_overrides(mapping, {"title": ""}, headers)["title"] is None
    stolen = apply_overrides(mapping, {"minutes_spent": "date"}, headers)
    assert stolen["minutes_spent"] == "Date" and stolen["posted_at"] is None


def test_record_pads_short_rows():
    table = read_table_text("date,minutes,subject\n2025-01-01\n")
    values = record(table, auto_map(table.headers, FIELDS), table.rows[0])
    assert values == {"posted_at": "2025-01-01", "minutes_spent": "", "title": ""}


@pytest.mark.parametrize("value", ["=1+1", "+1", "-cmd", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_quoted(value):
    assert safe_cell(value) == "'" + value


def test_numbers_and_plain_text_stay_as_they_are():
    assert safe_cell(-5) == -5 and safe_cell(2.5) == 2.5
    assert safe_cell("plain") == "plain" and safe_cell(None) == ""


def test_write_then_read_round_trip(tmp_path):
    path = tmp_path / "out.csv"
    assert write_table(path, ["title", "minutes"], [["=evil()", -3], ["Café", 5]]) == 2
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_table(path)
    assert table.rows == [["'=evil()", "-3"], ["Café", "5"]]


def test_a_failed_write_leaves_no_temp_file_and_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(csv_table.os, "replace", disk_full)
    with pytest.raises(CsvError, match="free space"):
        write_table(path, ["a"], [[1]])
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["out.csv"]
