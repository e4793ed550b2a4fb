"""The evidence report: readable by an insurer, every piece of user text escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from outreach.errors import Cancelled
from outreach.services import checklist as cl
from outreach.services import communities as com
from outreach.services import compliance as gate
from outreach.services.evidence_pdf import write_evidence_pdf
from outreach.services.profile import get_profile, save_profile

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines

TODAY = date.today()
NAME = 'Сон & <Ύπνος> "Müller" Café'
BODY = "Take 5 mg <b>melatonin</b> & see Ελλάδα; l'heure du coucher compte."


def _text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture
def checked(store, actor):
    save_profile(
        store,
        actor,
        replace(
            get_profile(store),
            practitioner_name="Dr. Zoë <Łukasz> & Co",
            online_cover="advice",
            online_cover_confirmed_on=TODAY,
        ),
    )
    cid = com.create_community(store, actor, com.CommunityData(name=NAME, advice_allowed=True))
    answers = {i.key: True for i in cl.current_checklist(store).items}
    found = gate.evaluate(store, gate.Draft(cid, BODY), answers).findings
    reasons = {gate.finding_key(f): "Quoting <the> trial & its dose" for f in found if f.blocks}
    assert reasons, "the draft must raise a blocking finding"
    return gate.record_check(store, actor, gate.Draft(cid, BODY), answers, reasons)


def test_the_pdf_holds_the_text_names_and_reasons_as_written(store, checked, tmp_path):
    out = tmp_path / "evidence.pdf"
    pages = write_evidence_pdf(store, TODAY - timedelta(days=1), TODAY, out)
    assert pages >= 2
    text = _text(out)
    for expected in (
        "Сон & <Ύπνος>",
        "Müller",
        "<b>melatonin</b>",
        "Ελλάδα",
        "Quoting <the> trial & its dose",
        "Dr. Zoë <Łukasz> & Co",
        checked.text_hash[:20],
    ):
        assert expected in text.replace("\n", " "), expected
    reader = PdfReader(out)
    assert reader.metadata.title.startswith("Compliance evidence")
    # The Unicode font is embedded (a subset), so every name prints on any machine.
    assert b"DejaVuSans" in out.read_bytes() and b"/FontFile2" in out.read_bytes()


def test_an_empty_period_says_there_is_no_data(store, tmp_path):
    out = tmp_path / "empty.pdf"
    assert write_evidence_pdf(store, date(2020, 1, 1), date(2020, 12, 31), out) == 1
    assert "no compliance checks in this period" in _text(out)


def test_deterministic_output_is_byte_identical(store, checked, tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for path in (a, b):
        write_evidence_pdf(store, TODAY - timedelta(days=1), TODAY, path, deterministic=True)
    assert a.read_bytes() == b.read_bytes()


def test_cancelling_leaves_no_file(store, checked, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    with pytest.raises(Cancelled):
        write_evidence_pdf(
            store, TODAY, TODAY, folder / "cancelled.pdf", progress=lambda done, total: done < 3
        )
    assert list(folder.iterdir()) == []
