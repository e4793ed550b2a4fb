from __future__ import annotations

import csv
import os

import pytest

from outreach.services import csv_table
from outreach.services.csv_table import (
    CsvError,
    Table,
    apply_overrides,
    auto_map,
    normalize_header,
    read_table,
    read_table_text,
    record,
    safe_cell,
    write_table,
)

FIELDS = {
    "posted_at": ("date", "when", "post date"),
    "minutes_spent": ("minutes", "time"),
    "title": ("subject", "date"),
}


def write(tmp_path, data: bytes, name="f.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- decoding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("name,city\nMüller,café\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "name,city\nMüller,café\n".encode(), "utf-8-sig"),
        ("name;city\nMüller;café\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings(tmp_path, data, encoding):
    table = read_table(write(tmp_path, data))
    assert table.encoding == encoding
    assert table.headers == ["name", "city"]  # no BOM stuck to "name"
    assert table.rows == [["Müller", "café"]]


def test_cp1252_euro_sign_and_quotes(tmp_path):
    table = read_table(write(tmp_path, "item;price\n“Deal”;5 €\n".encode("cp1252")))
    assert table.encoding == "cp1252" and table.rows == [["“Deal”", "5 €"]]


@pytest.mark.parametrize(
    "data",
    [
        b"name,city\n\x81\x8d\x8f\x90\x9d\n",  # bytes cp1252 leaves undefined
        "name,city\nMüller,Köln\n".encode("utf-16"),  # NULs: would be cp1252 garbage
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",  # an .xlsx workbook renamed to .csv
    ],
)
def test_bytes_that_are_not_text_are_refused(tmp_path, data):
    with pytest.raises(CsvError, match=r'not text in UTF-8 or Windows-1252.*"CSV UTF-8"'):
        read_table(write(tmp_path, data))


def test_text_with_a_leading_bom_character_has_a_clean_first_header():
    assert read_table_text("\ufeffname,city\nA,B\n").headers == ["name", "city"]


# --- delimiters -----------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(delimiter):
    table = read_table_text(f"a{delimiter}b{delimiter}c\n1{delimiter}2{delimiter}3\n")
    assert table.delimiter == delimiter
    assert table.headers == ["a", "b", "c"] and table.rows == [["1", "2", "3"]]


def test_single_column_file_where_the_sniffer_gives_up():
    table = read_table_text("name\nr/insomnia\nr/sleep\n")
    assert table.delimiter == ","
    assert table.headers == ["name"] and table.rows == [["r/insomnia"], ["r/sleep"]]


def test_header_only_file_is_counted_when_the_sniffer_gives_up():
    table = read_table_text("a;b\n")
    assert table.delimiter == ";" and table.headers == ["a", "b"] and table.rows == []


def test_sniffer_guess_missing_from_the_header_is_overruled():
    # Cells holding quoted comma lists make csv.Sniffer pick "," though the header has ";".
    text = 'name;tags\nA;"""a"",""b"""\nB;"""c"",""d"""\n'
    assert csv.Sniffer().sniff(text, delimiters=",;\t").delimiter == ","
    table = read_table_text(text)
    assert table.delimiter == ";"
    assert table.headers == ["name", "tags"]
    assert table.rows == [["A", '"a","b"'], ["B", '"c","d"']]


def test_sniffer_result_is_kept_when_the_header_agrees():
    # Counting the header alone would pick ";" (two of them inside one quoted title).
    text = '"a;b;c",d\n1,2\n3,4\n'
    table = read_table_text(text)
    assert table.delimiter == "," and table.headers == ["a;b;c", "d"]


def test_only_the_first_64k_are_sniffed(monkeypatch):
    seen = []

    class Spy(csv.Sniffer):
        def sniff(self, sample, delimiters=None):
            seen.append(sample)
            return super().sniff(sample, delimiters)

    monkeypatch.setattr(csv_table.csv, "Sniffer", Spy)
    text = "a,b\n" + "1,2\n" * 40_000
    assert len(read_table_text(text).rows) == 40_000
    assert len(seen[0]) <= 64 * 1024 and seen[0].endswith("1,2")


# --- parsing --------------------------------------------------------------------------------


def test_quoted_cells_keep_delimiters_newlines_and_quotes():
    table = read_table_text('title,body,n\n"a, b","line 1\nline ""2""",3\nx,y,4\n')
    assert table.rows == [["a, b", 'line 1\nline "2"', "3"], ["x", "y", "4"]]
    assert table.row_numbers == [2, 3]


def test_crlf_line_ends():
    assert read_table_text("a,b\r\n1,2\r\n").rows == [["1", "2"]]


def test_blank_rows_are_skipped_but_counted():
    table = read_table_text("\n\na,b\n1,2\n,\n  ,  \n\n3,4\n\n")
    assert table.rows == [["1", "2"], ["3", "4"]]
    assert table.row_numbers == [2, 6]


def test_headers_and_cells_are_stripped_and_short_rows_kept_as_read():
    table = read_table_text(" Title , Minutes \n  Hello ,  5  \nOnly\n")
    assert table.headers == ["Title", "Minutes"]
    assert table.rows == [["Hello", "5"], ["Only"]]


def test_empty_header_cells_are_kept():
    table = read_table_text("a,,b,,\n1,x,2,,\n")
    assert table.headers == ["a", "", "b", "", ""]
    assert table.rows == [["1", "x", "2", "", ""]]


@pytest.mark.parametrize("headers", ["Title,title \n", "posted_at,Posted At\n", "a,b,A\n"])
def test_duplicate_headers_are_refused_by_name(headers):
    with pytest.raises(CsvError, match="appears twice") as caught:
        read_table_text(headers + "1,2,3\n")
    assert headers.split(",")[-1].strip() in str(caught.value)


def test_an_unclosed_quote_is_an_error_not_lost_rows():
    with pytest.raises(CsvError, match=r"line 2.*quote mark"):
        read_table_text('a,b\n"oops,1\n2,3\n4,5\n')


@pytest.mark.parametrize("data", [b"", b"\n \r\n\t\n", b"\xef\xbb\xbf\n", b",,\n , \n"])
def test_empty_file(tmp_path, data):
    path = write(tmp_path, data)
    with pytest.raises(CsvError, match="The file is empty") as caught:
        read_table(path)
    assert str(path) in str(caught.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CsvError, match=r"Cannot open .*missing\.csv: "):
        read_table(tmp_path / "missing.csv")
    with pytest.raises(CsvError, match="Cannot open"):
        read_table(tmp_path)


# --- mapping --------------------------------------------------------------------------------


def test_normalize_header():
    assert normalize_header(" Posted_At ") == "posted at"
    assert normalize_header("Minutes-Spent") == "minutes spent"
    assert normalize_header("POST.DATE") == "post date"
    assert normalize_header("post \t  _-date") == "post date"
    assert normalize_header("Straße") == "strasse"  # casefold, not lower


def test_auto_map_by_case_spacing_and_synonyms():
    mapping = auto_map(["  POST-DATE", "Time", "Body"], FIELDS)
    assert mapping == {"posted_at": "  POST-DATE", "minutes_spent": "Time", "title": None}
    assert list(mapping) == list(FIELDS)


def test_auto_map_exact_names_win_over_synonyms():
    # "When" is a synonym for posted_at, but "Posted At" names it exactly.
    mapping = auto_map(["When", "Posted At", "Minutes"], FIELDS)
    assert mapping["posted_at"] == "Posted At"
    # title's synonym "date" may not take a header its exact field already has.
    mapping = auto_map(["Title", "Date"], {"title": ("date",), "posted_at": ("date",)})
    assert mapping == {"title": "Title", "posted_at": "Date"}


def test_auto_map_uses_each_header_once():
    mapping = auto_map(["Date"], FIELDS)  # both posted_at and title list "date"
    assert mapping == {"posted_at": "Date", "minutes_spent": None, "title": None}


def test_overrides_reject_an_unknown_field():
    mapping = auto_map(["Date"], FIELDS)
    with pytest.raises(CsvError) as caught:
        apply_overrides(mapping, {"nope": "Date"}, ["Date"])
    assert str(caught.value) == (
        "Unknown field 'nope' in --map; the fields are: posted_at, minutes_spent, title."
    )


def test_overrides_reject_a_missing_column():
    headers = ["Date", "Effort"]
    with pytest.raises(CsvError) as caught:
        apply_overrides(auto_map(headers, FIELDS), {"title": "Missing"}, headers)
    assert str(caught.value) == (
        "The file has no column 'Missing' (for field 'title'); its columns are: Date, Effort."
    )


def test_overrides_match_loosely_and_use_the_header_as_written():
    headers = ["Date", "Effort (min)", "Subject"]
    result = apply_overrides(auto_map(headers, FIELDS), {"minutes_spent": "effort (MIN)"}, headers)
    assert result == {"posted_at": "Date", "minutes_spent": "Effort (min)", "title": "Subject"}


def test_override_with_empty_text_ignores_the_field():
    headers = ["Date", "Subject"]
    result = apply_overrides(auto_map(headers, FIELDS), {"title": ""}, headers)
    assert result == {"posted_at": "Date", "minutes_spent": None, "title": None}


def test_override_steals_a_header_from_another_field():
    headers = ["Date", "Effort", "Subject"]
    result = apply_overrides(auto_map(headers, FIELDS), {"minutes_spent": "date"}, headers)
    assert result == {"posted_at": None, "minutes_spent": "Date", "title": "Subject"}


def test_overrides_may_not_give_one_column_to_two_fields():
    headers = ["Date", "Subject"]
    with pytest.raises(CsvError, match="'Date' is given for both 'posted_at' and 'title'"):
        apply_overrides(auto_map(headers, FIELDS), {"posted_at": "Date", "title": "date"}, headers)


def test_overrides_do_not_change_the_mapping_passed_in():
    headers = ["Date"]
    mapping = auto_map(headers, FIELDS)
    apply_overrides(mapping, {"posted_at": ""}, headers)
    assert mapping["posted_at"] == "Date"


def test_record_fills_short_rows_and_unmapped_fields_with_empty_text():
    table = read_table_text("subject,date,minutes\nHello,2025-01-01,7\nShort\n")
    mapping = apply_overrides(auto_map(table.headers, FIELDS), {"minutes_spent": ""}, table.headers)
    assert record(table, mapping, table.rows[0]) == {
        "posted_at": "2025-01-01",
        "minutes_spent": "",
        "title": "Hello",
    }
    assert record(table, mapping, table.rows[1]) == {
        "posted_at": "",
        "minutes_spent": "",
        "title": "Short",
    }


def test_record_ignores_extra_cells():
    table = Table(["a"], [["1", "2"]], [2], "utf-8", ",")
    assert record(table, {"x": "a", "y": None}, table.rows[0]) == {"x": "1", "y": ""}


# --- export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+1", "-cmd", "@SUM(A1)", "\tx", "\rx", "=", "-"])
def test_formula_cells_are_quoted(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "", " =x", "a=b", "'quoted", 0, -5, -2.5, True])
def test_safe_values_are_unchanged(value):
    result = safe_cell(value)
    assert result == value and type(result) is type(value)


def test_none_becomes_an_empty_cell():
    assert safe_cell(None) == ""


def test_write_then_read_round_trip(tmp_path):
    path = tmp_path / "out.csv"
    rows = (
        r
        for r in [
            ['=HYPERLINK("x")', -3, "a, b"],
            ["Café", 5, 'say "hi"\nbye'],
            ["@me", None, "+1"],
        ]
    )
    assert write_table(path, ["title", "minutes", "=notes"], rows) == 3
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    assert b"-3" in data and b"'-3" not in data  # a negative number stays a number
    assert b"\r\r\n" not in data  # newline="" keeps csv's own \r\n line ends
    table = read_table(path)
    assert table.encoding == "utf-8-sig" and table.delimiter == ","
    assert table.headers == ["title", "minutes", "'=notes"]
    assert table.rows == [
        ['\'=HYPERLINK("x")', "-3", "a, b"],
        ["Café", "5", 'say "hi"\nbye'],
        ["'@me", "", "'+1"],
    ]
    assert os.listdir(tmp_path) == ["out.csv"]


def test_write_replaces_an_existing_file(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old,stuff\n1,2\n3,4\n", encoding="utf-8")
    assert write_table(path, ["a"], []) == 0
    assert read_table(path).headers == ["a"] and read_table(path).rows == []


def test_a_failed_replace_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(csv_table.os, "replace", disk_full)
    with pytest.raises(CsvError) as caught:
        write_table(path, ["a"], [[1]])
    assert str(caught.value) == (
        f"Could not write {path}: No space left on device. Check there is free space and "
        "that the file is not open in another program."
    )
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_a_failure_while_producing_rows_leaves_no_temp_file(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")

    def rows():
        yield ["fine"]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        write_table(path, ["a"], rows())
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_writing_into_a_missing_folder_is_a_csv_error(tmp_path):
    with pytest.raises(CsvError, match="Could not write"):
        write_table(tmp_path / "nope" / "out.csv", ["a"], [])
