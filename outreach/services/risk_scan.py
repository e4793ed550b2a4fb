"""The automatic risk-phrase scan of a post before it goes out (no Qt, no database).

The phrases live in resources/risk_patterns.json so a practice can read and edit
them; this module loads and checks that file and reports each match as a
Finding the compliance gate shows to the clinician, who either edits the text or
overrides the finding with a written reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources as _resources
from pathlib import Path

from ..errors import OutreachError

SEVERITIES = ("block", "warn", "crisis")

PATTERNS_FILE = "risk_patterns.json"
CRISIS_REPLY_FILE = "crisis_reply.txt"
FILE_VERSION = 1

# Every pattern is matched case-insensitively; MULTILINE lets "^" mean the start
# of any line, which is how patterns spot an instruction opening a sentence.
_FLAGS = re.IGNORECASE | re.MULTILINE

_REQUIRED_FIELDS = ("id", "category", "pattern", "explanation", "severity")
_OPTIONAL_FIELDS = ("unless",)

# A sentence ends at . ! ? followed by a space or the end, or at a line break; a
# decimal point ("0.5 mg") is therefore not an end.
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")

# Typographic quotes become plain ones before matching, one character for one so
# offsets stay those of the text; patterns then need only the plain apostrophe.
_PLAIN_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


class PatternError(OutreachError):
    """The risk pattern file is unusable; the message names the file, the pattern and the fix."""


@dataclass(frozen=True)
class Pattern:
    id: str
    category: str
    pattern: str
    explanation: str
    severity: str
    # Optional: a regex that, when it matches anywhere in the same sentence,
    # suppresses the finding ("in studies", "no one can guarantee"). Python's
    # lookbehinds must be fixed-width, so context before the match needs this.
    unless: str = ""


@dataclass(frozen=True)
class Finding:
    pattern_id: str
    category: str
    category_label: str
    severity: str
    start: int  # character offsets in the scanned text
    end: int
    matched: str
    explanation: str

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def blocks(self) -> bool:
        return self.severity == "block"


# ---------------------------------------------------------------- loading


def load_patterns(path: str | Path | None = None) -> tuple[dict[str, str], list[Pattern]]:
    """(category id -> label, patterns) from ``path`` or the shipped file, checked.

    The shipped file is read once; a given path is read every time, so an
    editor can re-check the file it is working on.
    """
    if path is None:
        labels, patterns = _default_patterns()
    else:
        labels, patterns = _read_pattern_file(Path(path))
    # Copies, so a caller that edits the result cannot change the cached set.
    return dict(labels), list(patterns)


@lru_cache(maxsize=1)
def _default_patterns() -> tuple[dict[str, str], tuple[Pattern, ...]]:
    labels, patterns = _read_pattern_file(_resource_path(PATTERNS_FILE))
    return labels, tuple(patterns)


def _resource_path(name: str) -> Path:
    root = _resources.files("outreach.resources")
    return Path(str(root.joinpath(name)))


def _read_pattern_file(path: Path) -> tuple[dict[str, str], list[Pattern]]:
    raw = _read_json(path)
    labels = _parse_categories(raw, path)
    patterns = [_parse_pattern(entry, index, labels, path) for index, entry in _entries(raw, path)]
    _check_unique_ids(patterns, path)
    return labels, patterns


def _read_json(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PatternError(
            f"The risk pattern file {path} does not exist; restore it or choose another file."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PatternError(
            f"The risk pattern file {path} cannot be read ({exc}); check it is a UTF-8 text file."
        ) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PatternError(
            f"The risk pattern file {path} is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}); fix that spot or restore the shipped file."
        ) from None
    if not isinstance(raw, dict):
        raise PatternError(
            f"The risk pattern file {path} must hold a JSON object with "
            '"version", "categories" and "patterns"; restore the shipped file.'
        )
    if raw.get("version") != FILE_VERSION:
        raise PatternError(
            f"The risk pattern file {path} has version {raw.get('version')!r}, but this "
            f"Outreach reads version {FILE_VERSION}; use a file made for this version."
        )
    return raw


def _parse_categories(raw: dict, path: Path) -> dict[str, str]:
    categories = raw.get("categories")
    if not isinstance(categories, dict) or not categories:
        raise PatternError(
            f'The risk pattern file {path} has no "categories" object; add one that maps '
            'each category id to {"label": ..., "why": ...}.'
        )
    labels: dict[str, str] = {}
    for category_id, entry in categories.items():
        label = entry.get("label") if isinstance(entry, dict) else None
        if not isinstance(label, str) or not label.strip():
            raise PatternError(
                f"Category {category_id!r} in {path} has no label; give it a "
                '"label" the clinician will read.'
            )
        labels[category_id] = label.strip()
    return labels


def _entries(raw: dict, path: Path) -> Iterable[tuple[int, object]]:
    patterns = raw.get("patterns")
    if not isinstance(patterns, list):
        raise PatternError(
            f'The risk pattern file {path} has no "patterns" list; add one, even if empty.'
        )
    return enumerate(patterns, start=1)


def _parse_pattern(entry: object, index: int, labels: dict[str, str], path: Path) -> Pattern:
    where = f"Pattern number {index} in {path}"
    if not isinstance(entry, dict):
        raise PatternError(f'{where} is not a JSON object; write it as {{"id": ..., ...}}.')
    if isinstance(entry.get("id"), str) and entry["id"].strip():
        where = f"Pattern {entry['id']!r} in {path}"
    unknown = sorted(set(entry) - set(_REQUIRED_FIELDS) - set(_OPTIONAL_FIELDS))
    if unknown:
        raise PatternError(
            f"{where} has an unknown field {unknown[0]!r}; the fields are "
            f"{', '.join(_REQUIRED_FIELDS + _OPTIONAL_FIELDS)}."
        )
    for name in _REQUIRED_FIELDS:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            raise PatternError(f"{where} has no {name!r}; fill it in as text.")
    unless = entry.get("unless", "")
    if not isinstance(unless, str):
        raise PatternError(f"{where} has an 'unless' that is not text; write it as a regex.")
    pattern = Pattern(
        id=entry["id"].strip(),
        category=entry["category"].strip(),
        pattern=entry["pattern"],
        explanation=entry["explanation"].strip(),
        severity=entry["severity"].strip(),
        unless=unless,
    )
    _check_pattern(pattern, labels, where)
    return pattern


def _check_pattern(pattern: Pattern, labels: dict[str, str], where: str) -> None:
    if pattern.category not in labels:
        raise PatternError(
            f"{where} names the category {pattern.category!r}, which is not defined under "
            f'"categories" ({", ".join(labels)}); fix the name or add the category.'
        )
    if pattern.severity not in SEVERITIES:
        raise PatternError(
            f"{where} has severity {pattern.severity!r}; use one of {', '.join(SEVERITIES)}."
        )
    for field_name in ("pattern", "unless"):
        text = getattr(pattern, field_name)
        if not text:
            continue
        try:
            compiled = re.compile(text, _FLAGS)
        except re.error as exc:
            raise PatternError(
                f"{where} has a {field_name!r} that is not a valid regular expression "
                f"({exc}); correct the expression."
            ) from None
        # A pattern that matches empty text would flag every position in a post.
        if field_name == "pattern" and compiled.fullmatch("") is not None:
            raise PatternError(
                f"{where} matches empty text, so it would flag everything; make it "
                "require at least one word."
            )


def _check_unique_ids(patterns: list[Pattern], path: Path) -> None:
    seen: set[str] = set()
    for pattern in patterns:
        if pattern.id in seen:
            raise PatternError(
                f"The pattern id {pattern.id!r} appears twice in {path}; give each pattern "
                "its own id."
            )
        seen.add(pattern.id)


@lru_cache(maxsize=1024)
def _compiled(pattern: Pattern) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    unless = re.compile(pattern.unless, _FLAGS) if pattern.unless else None
    return re.compile(pattern.pattern, _FLAGS), unless


def category_labels() -> dict[str, str]:
    """Category id -> the label the clinician reads, from the shipped file."""
    return dict(_default_patterns()[0])


@lru_cache(maxsize=1)
def crisis_reply() -> str:
    """The crisis-resource reply a clinician can post instead of advice."""
    return _resource_path(CRISIS_REPLY_FILE).read_text(encoding="utf-8").strip()


# ---------------------------------------------------------------- scanning

PatternSet = Sequence[Pattern] | tuple[dict[str, str], Sequence[Pattern]]


def scan(
    text: str, *, ignore: Iterable[str] = (), patterns: PatternSet | None = None
) -> list[Finding]:
    """The risky phrases in ``text``, sorted by where they start.

    ``ignore`` holds the practice's disclaimer and signature: wherever they occur
    they are not scanned (their wording is fixed and reviewed once). ``patterns``
    is a list of Pattern or the pair load_patterns() returns; the default is the
    shipped set.
    """
    labels, pattern_list = _pattern_set(patterns)
    plain = text.translate(_PLAIN_QUOTES)
    found: list[Finding] = []
    for seg_start, seg_end in _unignored_segments(plain, ignore):
        segment = plain[seg_start:seg_end]
        for pattern in pattern_list:
            found.extend(_pattern_findings(pattern, segment, seg_start, text, labels))
    return _merge_overlaps(found)


def _pattern_set(patterns: PatternSet | None) -> tuple[dict[str, str], Sequence[Pattern]]:
    default_labels = _default_patterns()[0]
    if patterns is None:
        return default_labels, _default_patterns()[1]
    if isinstance(patterns, tuple) and len(patterns) == 2 and isinstance(patterns[0], dict):
        return {**default_labels, **patterns[0]}, patterns[1]
    return default_labels, patterns


def _unignored_segments(text: str, ignore: Iterable[str]) -> list[tuple[int, int]]:
    """The spans of ``text`` left after cutting out every occurrence of the ignore texts.

    Scanning each span on its own (instead of blanking the ignored text) keeps a
    pattern from matching across the disclaimer, and offsets stay those of ``text``.
    """
    cut: list[tuple[int, int]] = []
    for snippet in ignore:
        words = (snippet or "").translate(_PLAIN_QUOTES).split()
        if not words:
            continue
        # Line wrapping and spacing in the post may differ from the saved text.
        needle = re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)
        cut.extend(match.span() for match in needle.finditer(text))
    segments: list[tuple[int, int]] = []
    position = 0
    for start, end in sorted(cut):
        if start > position:
            segments.append((position, start))
        position = max(position, end)
    if position < len(text):
        segments.append((position, len(text)))
    return segments


def _pattern_findings(
    pattern: Pattern, segment: str, offset: int, text: str, labels: dict[str, str]
) -> Iterable[Finding]:
    regex, unless = _compiled(pattern)
    for match in regex.finditer(segment):
        if match.end() == match.start():
            continue
        if unless is not None and unless.search(_sentence_around(segment, *match.span())):
            continue
        start, end = offset + match.start(), offset + match.end()
        # Patterns may consume the space after a phrase; the finding is the words.
        while end > start and text[end - 1].isspace():
            end -= 1
        while start < end and text[start].isspace():
            start += 1
        yield Finding(
            pattern_id=pattern.id,
            category=pattern.category,
            category_label=labels.get(pattern.category, pattern.category),
            severity=pattern.severity,
            start=start,
            end=end,
            matched=text[start:end],
            explanation=pattern.explanation,
        )


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence(s) holding text[start:end], with the closing punctuation."""
    sentence_start = 0
    for boundary in _SENTENCE_END.finditer(text, 0, start):
        sentence_start = boundary.end()
    closing = _SENTENCE_END.search(text, end)
    sentence_end = closing.end() if closing else len(text)
    return text[sentence_start:sentence_end]


def _merge_overlaps(found: list[Finding]) -> list[Finding]:
    """One finding per overlapping run of the same category: the earliest, then longest."""
    ordered = sorted(found, key=lambda f: (f.start, -(f.end - f.start), f.pattern_id))
    kept: list[Finding] = []
    reach: dict[str, int] = {}  # category -> end of the last finding kept for it
    for finding in ordered:
        if finding.start < reach.get(finding.category, -1):
            continue
        kept.append(finding)
        reach[finding.category] = finding.end
    return kept


# ---------------------------------------------------------------- report


def findings_to_text(findings: Sequence[Finding], text: str) -> str:
    """The report the CLI prints: one line per finding, then a summary line."""
    lines = [_finding_line(finding, text) for finding in findings]
    lines.append(_summary(findings))
    return "\n".join(lines)


def _finding_line(finding: Finding, text: str) -> str:
    line, column = _line_col(text, finding.start)
    matched = " ".join(finding.matched.split())
    return (
        f"{line}:{column}  {finding.severity.upper()}  {finding.category_label}: "
        f'"{matched}" — {finding.explanation}'
    )


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``, as editors count them."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _summary(findings: Sequence[Finding]) -> str:
    if not findings:
        return "No risky phrases found."
    blocks = sum(1 for f in findings if f.severity == "block")
    warns = sum(1 for f in findings if f.severity == "warn")
    crises = sum(1 for f in findings if f.severity == "crisis")
    parts = []
    if blocks == 1:
        parts.append("1 finding blocks posting; edit the text or override it with a reason.")
    elif blocks:
        parts.append(
            f"{blocks} findings block posting; edit the text or override each with a reason."
        )
    if warns:
        noun = "warning" if warns == 1 else "warnings"
        parts.append(f"{warns} {noun} to check before posting.")
    if crises:
        parts.append(
            "A crisis phrase was found: reply with the crisis resources instead of advice."
        )
    return " ".join(parts)
