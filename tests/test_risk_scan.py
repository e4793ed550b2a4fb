"""The risk-phrase scan: its figures on the labelled corpus, and its behaviour."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from outreach.services.risk_scan import (
    SEVERITIES,
    Finding,
    Pattern,
    PatternError,
    category_labels,
    crisis_reply,
    findings_to_text,
    load_patterns,
    scan,
)

CORPUS = Path(__file__).with_name("scan_corpus.csv")
CATEGORIES = {
    "diagnosis",
    "treatment_directive",
    "dosage",
    "guarantee",
    "relationship",
    "client_anecdote",
    "identifiers",
    "crisis",
    "solicitation",
    "jurisdiction",
}
DISCLAIMER = "This is not medical advice; I can't treat you online."
SIGNATURE = "Dr. Alex Sample, sleep clinic, book a session at example.org"


def _corpus() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------- corpus figures


def test_corpus_shape():
    rows = _corpus()
    expected = Counter(row["expected"] for row in rows)
    assert len(rows) >= 170
    assert expected["none"] >= 60
    assert set(expected) - {"none"} == CATEGORIES, "unknown or missing categories"
    for category in CATEGORIES:
        assert expected[category] >= 3, f"{category} has fewer than 3 risky sentences"


def test_corpus_precision_and_recall():
    """A risky sentence is caught when its category is among the findings. A harmless
    one with any block or warn finding is a false positive; so is a risky sentence
    flagged only under other categories (flagged, but for the wrong reason).
    Crisis findings on harmless text do not count: they only offer a reply."""
    true_pos = false_pos = wrong_category = 0
    caught: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    misses, false_alarms = [], []
    for row in _corpus():
        findings = scan(row["text"])
        expected = row["expected"]
        flagged = [f for f in findings if f.severity in ("block", "warn")]
        if expected == "none":
            if flagged:
                false_pos += 1
                false_alarms.append((row["text"], [f.pattern_id for f in flagged]))
            continue
        totals[expected] += 1
        if expected in {f.category for f in findings}:
            true_pos += 1
            caught[expected] += 1
        else:
            misses.append((expected, row["text"]))
            wrong_category += bool(flagged)
    risky = sum(totals.values())
    recall = true_pos / risky
    precision = true_pos / (true_pos + false_pos + wrong_category)
    print(f"\nrisk scan corpus: {risky} risky, {len(_corpus()) - risky} harmless sentences")
    print(f"precision {precision:.3f}  recall {recall:.3f}")
    for category in sorted(totals):
        print(
            f"  {category:20} recall {caught[category] / totals[category]:.2f}"
            f"  ({caught[category]}/{totals[category]})"
        )
    for expected, text in misses:
        print(f"  missed {expected}: {text}")
    for text, ids in false_alarms:
        print(f"  false alarm {ids}: {text}")
    assert recall >= 0.9
    assert precision >= 0.8


# ---------------------------------------------------------------- shipped files


def test_shipped_patterns_cover_every_category():
    labels, patterns = load_patterns()
    assert set(labels) == CATEGORIES
    assert {p.category for p in patterns} == CATEGORIES
    assert all(p.severity in SEVERITIES for p in patterns)
    assert {p.severity for p in patterns if p.category == "crisis"} == {"crisis"}
    assert category_labels() == labels


def test_load_patterns_returns_copies_of_the_cached_set():
    labels, patterns = load_patterns()
    labels["diagnosis"] = "changed"
    patterns.clear()
    assert load_patterns()[0]["diagnosis"] == "Diagnosis"
    assert load_patterns()[1]


def test_crisis_reply_names_public_hotlines():
    reply = crisis_reply()
    assert "988" in reply and "116 123" in reply
    assert reply == reply.strip()


# ---------------------------------------------------------------- behaviour


def test_offsets_point_at_the_matched_words():
    text = "Thanks for asking.\nTake 5 mg before bed, and DM me your labs."
    findings = scan(text)
    assert [f.category for f in findings] == ["dosage", "relationship"]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.matched
    assert findings[0].matched == "Take 5 mg"
    assert findings[1].matched == "DM me your labs"


def test_offsets_survive_typographic_apostrophes():
    text = "Honestly I\u2019d be happy to see you as a patient."
    (finding,) = scan(text)
    assert finding.category == "relationship"
    assert text[finding.start : finding.end] == finding.matched
    assert finding.matched.startswith("I\u2019d")


def test_disclaimer_and_signature_are_not_scanned():
    body = "Sleep restriction feels worse before it gets better."
    text = f"{body}\n\n{DISCLAIMER}\n{SIGNATURE}"
    assert scan(text) != []  # the disclaimer and signature alone hold risky words
    assert scan(text, ignore=[DISCLAIMER, SIGNATURE]) == []


def test_ignored_text_matches_across_line_breaks_and_case():
    wrapped = "THIS is not medical advice;\nI can't treat\nyou online."
    assert scan(wrapped, ignore=[DISCLAIMER]) == []


def test_the_same_words_elsewhere_are_scanned():
    text = f"Happy to help, I can treat you next week.\n{DISCLAIMER}"
    findings = scan(text, ignore=[DISCLAIMER])
    assert [f.matched for f in findings] == ["I can treat you"]
    assert findings[0].start == text.index("I can treat you")


def test_offsets_after_an_ignored_text_are_relative_to_the_whole_text():
    text = f"{DISCLAIMER} You probably have sleep apnea."
    (finding,) = scan(text, ignore=[DISCLAIMER])
    assert finding.category == "diagnosis"
    assert text[finding.start : finding.end] == finding.matched


def test_crisis_findings_offer_the_reply_and_do_not_block():
    (finding,) = scan("Some nights I think about suicide.")
    assert finding.severity == "crisis"
    assert finding.category == "crisis"
    assert finding.blocks is False


def test_block_findings_block():
    (finding,) = scan("You should stop taking the sertraline.")
    assert finding.blocks is True


def test_education_about_studies_is_not_a_dosage():
    assert scan("A 5 mg dose is the typical starting point in studies.") == []
    assert [f.category for f in scan("Take 5 mg before bed.")] == ["dosage"]


def test_advice_to_see_a_doctor_is_not_a_directive():
    assert scan("Talk to your doctor before you stop taking any medication.") == []
    assert scan("You should not stop taking it without your prescriber.") == []
    assert [f.category for f in scan("You should stop taking it.")] == ["treatment_directive"]


def test_overlapping_matches_of_one_category_merge():
    # "DM me" (dm-me) and "DM me your labs" (send-records) overlap: one finding.
    findings = scan("DM me your labs please.")
    assert len(findings) == 1
    assert findings[0].matched == "DM me your labs"


def test_overlap_keeps_the_earliest_then_longest(tmp_path):
    path = _pattern_file(
        tmp_path,
        [
            _entry("short", "dosage", r"5 mg"),
            _entry("long", "dosage", r"take 5 mg"),
            _entry("later", "dosage", r"mg daily"),
            _entry("other-category", "guarantee", r"5 mg daily"),
        ],
    )
    findings = scan("Take 5 mg daily.", patterns=load_patterns(path))
    assert [(f.pattern_id, f.matched) for f in findings] == [
        ("long", "Take 5 mg"),
        ("other-category", "5 mg daily"),
    ]


def test_findings_are_sorted_by_start():
    text = "Call me on 555-010-2233. You probably have apnea. I want to kill myself."
    starts = [f.start for f in scan(text)]
    assert starts == sorted(starts)
    assert len(starts) >= 3


def test_to_dict_is_json_serialisable():
    (finding,) = scan("Take 5 mg before bed.")
    data = finding.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "pattern_id",
        "category",
        "category_label",
        "severity",
        "start",
        "end",
        "matched",
        "explanation",
    }
    assert data["category_label"] == "Dosage"


def test_scan_accepts_a_plain_list_of_patterns():
    pattern = Pattern("x", "dosage", r"\bmagic\b", "Say why.", "warn")
    (finding,) = scan("Some magic here.", patterns=[pattern])
    assert (finding.pattern_id, finding.category_label, finding.blocks) == ("x", "Dosage", False)


# ---------------------------------------------------------------- report text


def test_report_lists_findings_then_the_block_summary():
    text = "Hello.\nTake 5 mg before bed and DM me your labs."
    report = findings_to_text(scan(text), text).splitlines()
    assert len(report) == 3
    assert report[0].startswith('2:1  BLOCK  Dosage: "Take 5 mg" — ')
    assert report[1].startswith('2:26  BLOCK  Relationship-creating: "DM me your labs" — ')
    assert report[2] == "2 findings block posting; edit the text or override each with a reason."


def test_report_for_one_block():
    text = "You probably have sleep apnea."
    report = findings_to_text(scan(text), text).splitlines()
    assert report[-1] == "1 finding blocks posting; edit the text or override it with a reason."


def test_report_when_nothing_is_found():
    assert findings_to_text([], "Sleep well.") == "No risky phrases found."


def test_report_for_warnings_and_crisis_only():
    text = "I feel like I want to die. Use promo code SLEEP20."
    findings = scan(text)
    assert {f.severity for f in findings} == {"crisis", "warn"}
    summary = findings_to_text(findings, text).splitlines()[-1]
    assert "block" not in summary
    assert "1 warning to check before posting." in summary
    assert "crisis" in summary


def test_report_puts_a_wrapped_match_on_one_line():
    text = "Take\n5 mg before bed."
    finding = Finding("p", "dosage", "Dosage", "block", 0, 9, text[:9], "Why.")
    assert (
        findings_to_text([finding], text).splitlines()[0]
        == '1:1  BLOCK  Dosage: "Take 5 mg" — Why.'
    )


# ---------------------------------------------------------------- bad pattern files


def _entry(id, category="dosage", pattern=r"\bmg\b", severity="block", **extra):
    return {
        "id": id,
        "category": category,
        "pattern": pattern,
        "explanation": "Why it matters.",
        "severity": severity,
        **extra,
    }


def _pattern_file(tmp_path, patterns, categories=None, version=1) -> Path:
    categories = categories or {
        "dosage": {"label": "Dosage", "why": "."},
        "guarantee": {"label": "Guarantee", "why": "."},
    }
    path = tmp_path / "patterns.json"
    path.write_text(
        json.dumps({"version": version, "categories": categories, "patterns": patterns}),
        encoding="utf-8",
    )
    return path


def test_a_valid_custom_file_loads(tmp_path):
    labels, patterns = load_patterns(_pattern_file(tmp_path, [_entry("a")]))
    assert labels == {"dosage": "Dosage", "guarantee": "Guarantee"}
    assert patterns == [Pattern("a", "dosage", r"\bmg\b", "Why it matters.", "block")]


@pytest.mark.parametrize(
    ("patterns", "words"),
    [
        ([_entry("a", category="nonsense")], ["'a'", "'nonsense'", "category"]),
        ([_entry("a", severity="fatal")], ["'a'", "'fatal'", "block, warn, crisis"]),
        ([_entry("a", pattern=r"(unclosed")], ["'a'", "regular expression"]),
        ([_entry("a", unless=r"[bad")], ["'a'", "'unless'", "regular expression"]),
        ([_entry("a"), _entry("a")], ["'a'", "twice"]),
        ([_entry("a", pattern=r"x*")], ["'a'", "empty text"]),
        ([_entry("a", severty="block")], ["'a'", "unknown field", "'severty'"]),
        ([{"id": "a", "category": "dosage", "pattern": "x"}], ["'a'", "'explanation'"]),
        (["not an object"], ["number 1", "JSON object"]),
    ],
)
def test_bad_patterns_raise_a_sentence_naming_the_problem(tmp_path, patterns, words):
    path = _pattern_file(tmp_path, patterns)
    with pytest.raises(PatternError) as caught:
        load_patterns(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message
    assert message.endswith(".")


def test_missing_file(tmp_path):
    with pytest.raises(PatternError, match="does not exist"):
        load_patterns(tmp_path / "absent.json")


def test_file_that_is_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"version": 1, "categories": {', encoding="utf-8")
    with pytest.raises(PatternError, match=r"not valid JSON \(line 1"):
        load_patterns(path)


def test_wrong_version(tmp_path):
    with pytest.raises(PatternError, match="version 2"):
        load_patterns(_pattern_file(tmp_path, [], version=2))


def test_category_without_label(tmp_path):
    path = _pattern_file(tmp_path, [], categories={"dosage": {"why": "no label"}})
    with pytest.raises(PatternError, match="'dosage'.*label"):
        load_patterns(path)


def test_prepare_does_the_first_scans_work_in_advance():
    """The app prepares the patterns in the background at start, so the first
    composer's scan finds every pattern already compiled and analysed."""
    from outreach.services import risk_scan

    risk_scan._compiled.cache_clear()
    risk_scan.prepare()
    prepared = risk_scan._compiled.cache_info()
    assert prepared.currsize == len(risk_scan.load_patterns()[1])
    risk_scan.scan("You should take 5 mg of melatonin tonight; DM me.")
    assert risk_scan._compiled.cache_info().misses == prepared.misses
