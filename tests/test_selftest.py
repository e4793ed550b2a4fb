"""`outreach self-test` runs in-process here, main window included (offscreen)."""

from __future__ import annotations

import subprocess
import sys

from outreach import cli, selftest


def test_self_test_passes_and_prints_each_step(qapp, capsys, _isolated_home):
    code = cli.main(["self-test"])
    out = capsys.readouterr().out
    assert code == 0, out
    for name, _step in selftest.STEPS:
        line = next(line for line in out.splitlines() if name in line)
        assert line.strip().startswith("ok") and " s " in line
    assert f"Self-test passed: {len(selftest.STEPS)} steps" in out
    assert "platform offscreen" in out
    # A temporary database only: the user's data folder gets no database.
    assert not (_isolated_home / "outreach.db").exists()


def test_a_failing_step_is_named_and_exits_1(monkeypatch, capsys):
    def broken(state):
        raise RuntimeError("the PDF kit is missing")

    steps = [(name, broken if name == "evidence PDF" else step) for name, step in selftest.STEPS]
    monkeypatch.setattr(selftest, "STEPS", steps)
    code = selftest.run_self_test(window=False)
    captured = capsys.readouterr()
    assert code == 1
    assert "FAIL evidence PDF" in captured.out
    assert "Self-test FAILED at step 'evidence PDF': RuntimeError: the PDF kit is missing" in (
        captured.out
    )
    # The steps after the failing one do not run.
    assert "verify the evidence ledger" not in captured.out
    assert "RuntimeError" in captured.err  # the trace, for a frozen build's user to send


def test_a_check_that_finds_a_problem_fails_without_a_trace(monkeypatch, capsys):
    monkeypatch.setattr(selftest, "RESOURCE_FILES", ("no_such_file.json",))
    code = selftest.run_self_test(window=False)
    captured = capsys.readouterr()
    assert code == 1 and "Self-test FAILED at step 'resources'" in captured.out
    assert "no_such_file.json" in captured.out and "Traceback" not in captured.err


def test_importing_the_self_test_does_not_import_qt():
    code = (
        "import sys, outreach.selftest, outreach.cli; "
        "sys.exit(any(m.startswith('PySide6') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
