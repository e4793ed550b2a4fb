"""The risk scan tries each pattern only where one of its start words stands.

The shortcut must never change what the scan finds: these tests compare it with
the plain scan (every pattern tried at every position) on the labelled corpus,
on text with odd letters and case, and on patterns a practice might write.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from outreach.services import risk_scan
from outreach.services.risk_scan import Pattern, load_patterns, scan

CORPUS = Path(__file__).with_name("scan_corpus.csv")

# Characters that match an ASCII letter case-insensitively (Kelvin sign, long s,
# dotted and dotless i), signs, digits of other scripts, and sentence ends.
ODD = [
    "\u212a",
    "\u017f",
    "\u0130",
    "\u0131",
    "\u00b5",
    "\u03bc",
    "\u2019",
    "\u2014",
    "\u0663",
    "\u00e9",
    "e\u0301",
    "\u00df",
    "\u03c2",
    "\n",
    "\n\n",
    "...",
    "?!",
    "\t",
    ".",
    "e.g.",
    "x.Take",
    "$",
    "#1",
    "(",
    "+1 ",
]

# Patterns with the features a hand-written pattern may use.
CUSTOM = [
    r"\bfoo|bar",
    r"(?:ab)?c\b",
    r"\Bing\b",
    r"x*yz",
    r"(a|)bc",
    r"(\w+)\s+\1",
    r"(?P<w>to)o\b",
    r"[^a]pple",
    r"(?a)\bcafé",
    r"\bcaf(?a:é)",
    r"(?-i:Bob)\b",
    r"(?<=\d)\s*mg",
    r"\bI'm",
    r"’ll\b",
    r"\$\d+",
    r"^start",
    r"end$",
    r"\bst(?:op)?+ping",
    r"(?>ab|a)c",
    r"\bK\w*",
    r"\bµg",
    r"(?x) \b d o g",
    r"\bq\d{1,2}h",
    r"[0-9]{3}-[0-9]{4}",
    r"(?:^|(?<=,\s))\bgo\b",
    r"\b(?=go)\w+",
    r"\bwill(?:\s+|'ll)",
    r"\b\d+\s?%",
    r"\.\.\.",
    r"\bſtop",
    r"\bstop",
    r"\bσ",
]
PIECES = [
    *"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:'!?$%()-\n",
    "café",
    "CAFÉ",
    "\u212a",
    "\u017f",
    "\u0130",
    "\u0131",
    "\u00b5",
    "\u03bc",
    "\u2019ll",
    "I'm",
    "Bob",
    "bob",
    "to too",
    "stopping",
    "\u017ftop",
    "\u03c2",
    "\u03a3",
    "go",
    "GO",
    "you'll",
    "3 mg",
    "q4h",
    "Q12H",
    "apple",
    "555-1234",
    "king",
]


def _corpus_texts() -> list[str]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def _scan_everywhere(monkeypatch, texts, patterns=None) -> list[list[dict]]:
    """What scan() finds with the shortcut turned off."""
    risk_scan._compiled.cache_clear()
    with monkeypatch.context() as patch:
        patch.setattr(risk_scan, "_start_words", lambda pattern: None)
        found = [[f.to_dict() for f in scan(text, patterns=patterns)] for text in texts]
        risk_scan._compiled.cache_clear()
    return found


def _scan(texts, patterns=None) -> list[list[dict]]:
    return [[f.to_dict() for f in scan(text, patterns=patterns)] for text in texts]


def _mutated(texts: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        chars = list(rng.choice(["", " ", "\n", ". "]).join(rng.sample(texts, rng.randint(1, 4))))
        for _ in range(rng.randint(0, 4)):
            chars.insert(rng.randint(0, len(chars)), rng.choice(ODD))
        if rng.random() < 0.3:
            chars = [ch.upper() if rng.random() < 0.5 else ch for ch in chars]
        out.append("".join(chars))
    return out


def test_the_shortcut_finds_what_the_plain_scan_finds_on_the_corpus(monkeypatch):
    texts = _corpus_texts()
    texts += _mutated(texts, 400, seed=3)
    texts.append(" ".join(texts[:200]))  # one long post
    assert _scan(texts) == _scan_everywhere(monkeypatch, texts)


@pytest.mark.parametrize("expression", CUSTOM)
def test_the_shortcut_finds_what_the_plain_scan_finds_for_custom_patterns(monkeypatch, expression):
    patterns = [Pattern("custom", "dosage", expression, "Why.", "block")]
    rng = random.Random(expression)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    assert _scan(texts, patterns) == _scan_everywhere(monkeypatch, texts, patterns)


def test_start_words_read_from_patterns():
    assert risk_scan._start_words(r"\byou\s+have") == (("word", "you", True),)
    assert risk_scan._start_words(r"\bstop(?:ping)?") == (("word", "stop", False),)
    assert risk_scan._start_words(r"\b(?:dm|pm)\s+me") == (
        ("word", "dm", True),
        ("word", "pm", True),
    )
    assert risk_scan._start_words(r"\Bing") == (("text", "ing", False),)
    assert risk_scan._start_words(r"\$\d") == tuple(("text", f"${d}", False) for d in range(10))


@pytest.mark.parametrize(
    "expression",
    [r"(\w+)\s+\1", r"[\w.]+@example", r"(?a)\bcafé", r"x*yz", r"\bı", r"(?s)a.b", r"\b\s*no"],
)
def test_patterns_that_may_start_anywhere_are_tried_everywhere(expression):
    assert risk_scan._start_words(expression) is None


def test_almost_every_shipped_pattern_has_start_words():
    """A pattern without start words is tried at every position of the post; the
    shipped set keeps those to the few identifiers that can start with any word."""
    _, patterns = load_patterns()
    everywhere = {p.id for p in patterns if risk_scan._start_words(p.pattern) is None}
    assert everywhere <= {"identifier-email", "identifier-url", "identifier-zip"}


def test_sentence_ends_found_once_agree_with_the_plain_search():
    rng = random.Random(11)
    texts = _corpus_texts()[:150] + _mutated(_corpus_texts(), 200, seed=5)
    texts += ["x.Take 5 mg. Then stop!? Or not...\n\nNext", "e.g. this. That", "...", "a?!b. c"]
    for text in texts:
        index = risk_scan._SegmentIndex(text)
        for _ in range(20):
            start = rng.randint(0, len(text))
            end = rng.randint(start, min(len(text), start + 30))
            assert index.sentence_around(text, start, end) == risk_scan._sentence_around(
                text, start, end
            ), (text, start, end)


def test_letters_that_match_ascii_case_insensitively_are_found():
    # The Kelvin sign and the long s match "k" and "s" case-insensitively.
    assert [f.category for f in scan("\u017ftop taking the sertraline.")] == ["treatment_directive"]
    assert [f.category for f in scan("I want to \u212aill myself.")] == ["crisis"]
