"""The command line, through its entry point."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest

from outreach import __version__
from outreach.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_demo_then_check(capsys, db_path):
    code, out, _ = run(capsys, "demo", "--db", str(db_path), "--scale", "small")
    assert code == 0 and "300 posts" in out
    code, out, err = run(capsys, "db", "check", "--db", str(db_path), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] and report["counts"]["posts"] == 300
    assert report["integrity"] == "ok"
    counts = report["counts"]
    assert counts["contacts"] == 60
    assert 0 < counts["referrals"] < counts["contacts"]
    assert counts["stage_changes"] >= counts["contacts"]  # every contact has its first stage
    assert counts["revenue_entries"] > 0 and counts["cost_entries"] > 0


def test_demo_refuses_a_database_with_data(capsys, db_path):
    assert run(capsys, "demo", "--db", str(db_path))[0] == 0
    code, _, err = run(capsys, "demo", "--db", str(db_path))
    assert code == 2 and "--force" in err
    code, _, _ = run(capsys, "demo", "--db", str(db_path), "--force", "--scale", "50")
    assert code == 0
    _, out, _ = run(capsys, "db", "check", "--db", str(db_path), "--json")
    assert json.loads(out)["counts"]["contacts"] == 20  # replaced, not added to
    assert list((db_path.parent / "backups").glob("*.db"))


def test_demo_is_deterministic(capsys, tmp_path):
    from datetime import UTC, datetime

    from outreach.context import PRACTITIONER
    from outreach.services.demo import generate_demo
    from outreach.store import open_store

    until = datetime(2026, 1, 1, tzinfo=UTC)
    dumps = []
    for name in ("a.db", "b.db"):
        store = open_store(tmp_path / name)
        generate_demo(store, PRACTITIONER, scale=200, seed=7, until=until)
        with store.engine.connect() as conn:
            dumps.append(
                conn.exec_driver_sql(
                    "SELECT community_id, posted_at, kind, title, views FROM posts ORDER BY id"
                ).fetchall()
            )
        store.dispose()
    assert dumps[0] == dumps[1] and len(dumps[0]) == 200


def test_db_option_or_environment(capsys, tmp_path, monkeypatch):
    target = tmp_path / "env.db"
    monkeypatch.setenv("OUTREACH_DB", str(target))
    assert run(capsys, "settings", "set", "hourly_rate", "150.00")[0] == 0
    assert target.exists()
    code, out, _ = run(capsys, "settings", "get", "hourly_rate")
    assert (code, out.strip()) == (0, "150.00")
    code, out, _ = run(capsys, "settings", "get", "--json")
    assert json.loads(out)["hourly_rate"] == "150.00"


def test_bad_setting_is_exit_2_with_a_sentence(capsys, db_path):
    code, _, err = run(capsys, "settings", "set", "hourly_rate", "lots", "--db", str(db_path))
    assert code == 2 and "not an amount" in err


def test_import_malformed_row_exit_2_names_the_row(capsys, db_path, tmp_path):
    run(capsys, "demo", "--db", str(db_path), "--scale", "10")
    before = db_path.read_bytes()
    path = tmp_path / "posts.csv"
    path.write_text(
        "community,posted_at,kind,title,minutes_spent\n"
        "r/insomnia,2025-01-01,answer,ok,5\n"
        "r/insomnia,2025-01-02,answer,bad,five\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "import", "posts", str(path), "--db", str(db_path))
    assert code == 2
    assert "Row 3" in err and "minutes_spent" in err
    code, out, _ = run(capsys, "db", "check", "--db", str(db_path), "--json")
    assert json.loads(out)["counts"]["posts"] == 10
    del before


def test_import_and_export(capsys, db_path, tmp_path):
    run(capsys, "demo", "--db", str(db_path), "--scale", "10")
    out_file = tmp_path / "posts.csv"
    code, out, _ = run(capsys, "export", "posts", str(out_file), "--db", str(db_path))
    assert code == 0 and "10" in out
    code, out, _ = run(
        capsys, "import", "posts", str(out_file), "--db", str(db_path), "--dry-run", "--json"
    )
    assert code == 0 and json.loads(out)["skipped"] == 10
    code, _, err = run(
        capsys, "import", "posts", str(out_file), "--map", "nonsense", "--db", str(db_path)
    )
    assert code == 2 and "FIELD=HEADER" in err


def test_newer_database_is_refused_unchanged(capsys, db_path):
    run(capsys, "settings", "get", "--db", str(db_path))
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999_future'")
        conn.commit()
    before = db_path.read_bytes()
    code, _, err = run(capsys, "db", "check", "--db", str(db_path))
    assert code == 1 and "newer version" in err
    code, _, err = run(capsys, "demo", "--db", str(db_path))
    assert code == 1 and "newer version" in err
    assert db_path.read_bytes() == before


def test_db_check_fails_on_broken_foreign_keys(capsys, db_path):
    run(capsys, "demo", "--db", str(db_path), "--scale", "5")
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("UPDATE posts SET community_id = 999 WHERE id = 1")
        conn.commit()
    code, _, err = run(capsys, "db", "check", "--db", str(db_path))
    assert code == 1 and "missing records" in err


def test_backup(capsys, db_path, tmp_path):
    run(capsys, "demo", "--db", str(db_path), "--scale", "5")
    target = tmp_path / "copy.db"
    code, out, _ = run(capsys, "backup", "--to", str(target), "--db", str(db_path))
    assert code == 0 and target.exists()
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 5


def test_import_contacts_points_to_intake(capsys, db_path):
    code, _, err = run(capsys, "import", "contacts", "x.csv")
    assert code == 2 and "import intake" in err


def test_usage_errors_exit_2(capsys):
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "--help" in err
    code, _, _ = run(capsys, "import", "posts")
    assert code == 2


def test_report_roi_csv(capsys, db_path, tmp_path):
    import csv

    run(capsys, "demo", "--db", str(db_path))
    out = tmp_path / "roi.csv"
    code, printed, err = run(
        capsys,
        "report",
        "roi",
        "--from",
        "2020-01-01",
        "--to",
        "2030-12-31",
        "--format",
        "csv",
        "--attribution",
        "linear",
        "--community",
        "r/sleep",
        "-o",
        str(out),
        "--db",
        str(db_path),
    )
    assert code == 0, err
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "community",
        "posts",
        "hours",
        "time_cost",
        "direct_cost",
        "contacts",
        "intakes",
        "patients",
        "revenue",
        "cost_per_intake",
        "cost_per_patient",
        "roi_percent",
        "verdict",
    ]
    assert [r[0] for r in rows[1:]] == ["r/sleep"]
    assert "$" not in out.read_text(encoding="utf-8-sig")
    code, _, err = run(
        capsys,
        "report",
        "roi",
        "--from",
        "2025-03-01",
        "--to",
        "2025-01-01",
        "--format",
        "csv",
        "-o",
        str(out),
        "--db",
        str(db_path),
    )
    assert code == 2 and "before --from" in err
    code, _, err = run(
        capsys,
        "report",
        "roi",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-01",
        "--format",
        "csv",
        "--community",
        "Nowhere",
        "-o",
        str(out),
        "--db",
        str(db_path),
    )
    assert code == 2 and "no community called" in err


RISKY = "You should stop taking your meds and take 5 mg melatonin."


def test_scan_exits_1_when_anything_blocks(capsys, tmp_path, monkeypatch):
    import io

    draft = tmp_path / "draft.txt"
    draft.write_text(RISKY, encoding="utf-8")
    code, out, _ = run(capsys, "scan", str(draft))
    assert code == 1 and "Dosage" in out and "block" in out.lower()
    monkeypatch.setattr("sys.stdin", io.StringIO("A sleep diary shows patterns over two weeks."))
    code, out, _ = run(capsys, "scan", "-")
    assert code == 0 and "No risky phrases" in out
    code, out, _ = run(capsys, "scan", str(draft), "--json")
    data = json.loads(out)
    assert code == 1 and data["blocking"] >= 2
    assert {"category", "matched", "start", "end", "explanation"} <= set(data["findings"][0])


def test_scan_leaves_out_the_practice_disclaimer(capsys, db_path, tmp_path):
    disclaimer = "I can't treat you online; DM me for nothing."
    assert run(capsys, "settings", "set", "disclaimer", disclaimer, "--db", str(db_path))[0] == 0
    draft = tmp_path / "draft.txt"
    draft.write_text(f"A sleep diary helps.\n\n{disclaimer}", encoding="utf-8")
    code, out, _ = run(capsys, "scan", str(draft), "--db", str(db_path))
    assert code == 0, out


def test_scan_of_a_missing_file_is_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "scan", str(tmp_path / "nope.txt"))
    assert code == 2 and "Cannot read" in err


def test_db_check_names_an_altered_evidence_record(capsys, db_path):
    assert run(capsys, "demo", "--db", str(db_path))[0] == 0
    code, out, _ = run(capsys, "db", "check", "--db", str(db_path), "--json")
    assert code == 0 and json.loads(out)["evidence"] == "ok"
    with closing(sqlite3.connect(db_path)) as conn:
        record = conn.execute("SELECT min(id) + 1 FROM compliance_checks").fetchone()[0]
        conn.execute(
            "UPDATE compliance_checks SET payload = replace(payload, 'confirmed\":true', "
            "'confirmed\":false') WHERE id = ?",
            (record,),
        )
        conn.commit()
    code, _, err = run(capsys, "db", "check", "--db", str(db_path))
    assert code == 1
    assert f"Evidence record {record} was altered" in err


def test_report_evidence_writes_a_pdf(capsys, db_path, tmp_path):
    from pypdf import PdfReader

    assert run(capsys, "demo", "--db", str(db_path))[0] == 0
    out_file = tmp_path / "evidence.pdf"
    code, out, err = run(
        capsys,
        "report", "evidence", "--from", "2000-01-01", "--to", "2100-12-31", str(out_file),
        "--db", str(db_path),
    )  # fmt: skip
    assert code == 0, err
    text = "".join(page.extract_text() for page in PdfReader(out_file).pages)
    assert "Compliance evidence" in text and "Check 1" in text
    assert "hash chain was verified" in text
    code, _, err = run(
        capsys, "report", "evidence", "--from", "2025-02-01", "--to", "2025-01-01", "x.pdf"
    )
    assert code == 2 and "swap" in err
