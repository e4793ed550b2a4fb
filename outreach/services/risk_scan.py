"""The automatic risk-phrase scan of a post before it goes out (no Qt, no database).

The phrases live in resources/risk_patterns.json so a practice can read and edit
them; this module loads and checks that file and reports each match as a
Finding the compliance gate shows to the clinician, who either edits the text or
overrides the finding with a written reason.
"""

from __future__ import annotations

import bisect
import json
import re
import string
import unicodedata
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
def _compiled(
    pattern: Pattern,
) -> tuple[re.Pattern[str], re.Pattern[str] | None, tuple[tuple[str, bool], ...] | None]:
    """The pattern and its 'unless' compiled, and the words a match can start with."""
    unless = re.compile(pattern.unless, _FLAGS) if pattern.unless else None
    return re.compile(pattern.pattern, _FLAGS), unless, _start_words(pattern.pattern)


def prepare() -> None:
    """Read, check and analyse the shipped patterns now rather than at the first
    scan (about a quarter of a second): the app does it in the background at
    start, so the composer opens without that wait."""
    for pattern in _default_patterns()[1]:
        _compiled(pattern)


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
        index = _SegmentIndex(segment)
        for pattern in pattern_list:
            found.extend(_pattern_findings(pattern, segment, seg_start, text, labels, index))
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
    pattern: Pattern,
    segment: str,
    offset: int,
    text: str,
    labels: dict[str, str],
    index: _SegmentIndex | None = None,
) -> Iterable[Finding]:
    regex, unless, starts = _compiled(pattern)
    if starts is None or index is None:
        matches: Iterable[re.Match[str]] = regex.finditer(segment)
    else:
        matches = _matches_at(regex, segment, index.positions(starts))
    around = _sentence_around if index is None else index.sentence_around
    for match in matches:
        if match.end() == match.start():
            continue
        if unless is not None and unless.search(around(segment, *match.span())):
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


def _matches_at(
    regex: re.Pattern[str], segment: str, candidates: Iterable[int]
) -> Iterable[re.Match[str]]:
    """What regex.finditer(segment) yields, trying only the candidate start positions.

    Every match starts at a candidate (see _start_words), so trying them in order
    and skipping those inside the previous match gives the same matches.
    """
    resume = 0
    for position in candidates:
        if position < resume:
            continue
        match = regex.match(segment, position)
        if match is not None and match.end() > match.start():
            resume = match.end()
            yield match


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


# ---------------------------------------------------------------- start words
#
# Python's re tries a case-insensitive pattern at every position of the text, so
# each pattern costs a pass over the whole post (about 0.2-15 ms per pattern for
# 2,000 words). Almost every pattern starts at a word boundary with one of a
# known set of words ("you", "stop", "take" ...). _start_words reads that set
# from the parsed pattern; scan() indexes the post's words once and runs each
# pattern only where one of its start words stands. A pattern whose start cannot
# be worked out (it may start mid-word, or with any word) is matched the plain
# way, so a practice's own patterns always work.

try:  # the parser behind re.compile; private, so anything unexpected means "unknown"
    from re import _constants as _sre
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - every CPython 3.11+ has them
    _sre = _sre_parser = None

_MAX_STATES = 2000  # prefixes followed at once before giving up on a pattern
_MAX_GROWTH = 256  # prefixes worth extending by one more character
_MAX_PREFIX = 24  # characters of a start word worth knowing
_SMALL_SET = 16  # a character class larger than this ends the start word
_WORD_RUN = re.compile(r"\w+")
_ASCII_WORD = re.compile(r"[a-z0-9_]*")


class _Unknown(Exception):
    """The start of the pattern cannot be reduced to a set of words."""


_Start = tuple[str, str, bool]  # ("word", word, exact) or ("text", literal, False)


def _start_words(pattern: str) -> tuple[_Start, ...] | None:
    """Where a match of ``pattern`` can start, or None when that cannot be worked out.

    ("word", w, exact): at the start of a word of the text that equals w
    (exact) or begins with it; ("text", t, False): wherever the text holds t.
    Both compare in lower case. With None the pattern is tried everywhere.
    """
    if _sre_parser is None:
        return None
    try:
        tree = _sre_parser.parse(pattern, _FLAGS)
        if tree.state.flags & (_sre.SRE_FLAG_ASCII | _sre.SRE_FLAG_LOCALE):
            return None
        open_states, closed = _walk(tree, {("", False)})
    except (_Unknown, RecursionError, ValueError, TypeError, AttributeError, re.error):
        return None
    closed |= {(prefix, bounded, False) for prefix, bounded in open_states}
    result: set[_Start] = set()
    for prefix, bounded, exact in closed:
        word = _ASCII_WORD.match(prefix).group()
        if word and bounded:
            result.add(("word", word, exact or len(word) < len(prefix)))
        elif prefix and (len(prefix) >= 3 or not prefix[0].isalpha()):
            # Starts mid-word or with a sign ("'ll", "$", "+1"): look for the literal.
            result.add(("text", prefix, False))
        else:
            return None
    return _fewest(result)


def _fewest(starts: set[_Start]) -> tuple[_Start, ...]:
    """The starts without those another start already covers ("stop" covers "stopping")."""
    kept: list[_Start] = []
    for start in sorted(starts, key=lambda item: (len(item[1]), item)):
        kind, literal, exact = start
        if not any(
            other_kind == kind and not other_exact and literal.startswith(other)
            for other_kind, other, other_exact in kept
        ):
            kept.append(start)
    return tuple(sorted(kept))


_State = tuple[str, bool]  # (literal prefix so far, the match starts at a word start)
_Closed = tuple[str, bool, bool]  # ... and whether the word ends right after the prefix


def _walk(items, states: set[_State]) -> tuple[set[_State], set[_Closed]]:
    """Follow the literal prefixes of ``states`` through parsed items."""
    closed: set[_Closed] = set()
    for op, av in items:
        if not states:
            break
        states = _step(op, av, states, closed)
        if len(states) > _MAX_STATES:
            raise _Unknown
    return states, closed


def _step(op, av, states: set[_State], closed: set[_Closed]) -> set[_State]:
    if op is _sre.AT:
        if av is _sre.AT_BOUNDARY:
            kept = set()
            for prefix, bounded in states:
                if not prefix:
                    kept.add(("", True))
                elif _is_word(prefix[-1]):
                    closed.add((prefix, bounded, True))  # the word ends here
                else:
                    kept.add((prefix, bounded))
            return kept
        if av in (_sre.AT_BEGINNING, _sre.AT_BEGINNING_LINE, _sre.AT_BEGINNING_STRING):
            return {(prefix, bounded or not prefix) for prefix, bounded in states}
        return states
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return states  # zero-width; re itself checks it at each candidate
    if op is _sre.LITERAL:
        return _append(states, [chr(av)], closed)
    if op is _sre.IN:
        return _step_class(av, states, closed)
    if op is _sre.CATEGORY:
        return _step_class([(op, av)], states, closed)
    if op is _sre.BRANCH:
        merged: set[_State] = set()
        for alternative in av[1]:
            branch_states, branch_closed = _walk(alternative, set(states))
            merged |= branch_states
            closed |= branch_closed
        return merged
    if op is _sre.SUBPATTERN:
        _group, add_flags, _del_flags, inner = av
        if add_flags & (_sre.SRE_FLAG_ASCII | _sre.SRE_FLAG_LOCALE):
            raise _Unknown
        inner_states, inner_closed = _walk(inner, states)
        closed |= inner_closed
        return inner_states
    if op is _sre.ATOMIC_GROUP:
        inner_states, inner_closed = _walk(av, states)
        closed |= inner_closed
        return inner_states
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, high, inner = av
        if high == 0:
            return states
        once, once_closed = _walk(inner, set(states))
        closed |= once_closed
        if high != 1:  # more repeats may follow: the prefix stops being certain here
            closed |= {(prefix, bounded, False) for prefix, bounded in once}
            once = set()
        return (states | once) if low == 0 else once
    # Anything else (any character, a back-reference ...) ends every prefix.
    closed |= {(prefix, bounded, False) for prefix, bounded in states}
    return set()


def _step_class(members, states: set[_State], closed: set[_Closed]) -> set[_State]:
    """One character from a class: a few known characters extend the prefixes."""
    chars: list[str] = []
    non_word = False  # the class also holds characters that are never word characters
    for op, av in members:
        if op is _sre.LITERAL:
            chars.append(chr(av))
        elif op is _sre.RANGE and av[1] - av[0] < _SMALL_SET:
            chars.extend(chr(code) for code in range(av[0], av[1] + 1))
        elif op is _sre.CATEGORY and av is _sre.CATEGORY_DIGIT:
            chars.extend(string.digits)
        elif op is _sre.CATEGORY and av in (_sre.CATEGORY_SPACE, _sre.CATEGORY_NOT_WORD):
            non_word = True
        else:
            chars = []
            non_word = False
            break
    else:
        if len(chars) <= _SMALL_SET and (chars or non_word):
            if non_word and any(_is_word(ch) for ch in chars):
                return _close_all(states, closed)
            kept = _append(states, chars, closed) if chars else set()
            if non_word:
                for prefix, bounded in states:
                    if prefix and _is_word(prefix[-1]):
                        closed.add((prefix, bounded, True))
                    else:
                        closed.add((prefix, bounded, False))
            return kept
    return _close_all(states, closed)


def _close_all(states: set[_State], closed: set[_Closed]) -> set[_State]:
    closed |= {(prefix, bounded, False) for prefix, bounded in states}
    return set()


def _append(states: set[_State], chars: list[str], closed: set[_Closed]) -> set[_State]:
    if len(states) * len(chars) > _MAX_GROWTH:
        return _close_all(states, closed)  # shorter prefixes are still true, just less precise
    grown: set[_State] = set()
    for prefix, bounded in states:
        for ch in chars:
            if len(prefix) >= _MAX_PREFIX or not (ch.isascii() or _uncased_sign(ch)):
                closed.add((prefix, bounded, False))
            else:
                grown.add((prefix + ch.lower(), bounded))
    return grown


def _uncased_sign(ch: str) -> bool:
    """A character that matches only itself, even case-insensitively (a dash, a quote)."""
    return not ch.isalnum() and ch.lower() == ch == ch.upper()


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """The ASCII letter or digit a character matches case-insensitively, else itself."""
    if ch.isascii():
        return ch.lower()
    digit = unicodedata.decimal(ch, None)
    if digit is not None:
        return str(digit)  # \d matches every decimal digit
    for letter in string.ascii_lowercase:  # e.g. the Kelvin sign matches "k"
        if re.fullmatch(letter, ch, re.IGNORECASE):
            return letter
    return ch


def _fold(word: str) -> str:
    if word.isascii():
        return word.lower()
    return "".join(_fold_char(ch) for ch in word)


class _SegmentIndex:
    """Where each word and each sentence end of a text is; built on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: dict[str, list[int]] | None = None
        self._sorted: list[str] = []
        self._folded: str | None = None
        self._sentence_ends: list[int] | None = None

    def sentence_around(self, text: str, start: int, end: int) -> str:
        """_sentence_around(text, start, end) for this index's text, without rescanning it."""
        if self._sentence_ends is None:
            self._sentence_ends = [m.end() for m in _SENTENCE_END.finditer(self._text)]
        ends = self._sentence_ends
        if start > 0 and text[start - 1] in ".!?":
            # _sentence_around scans text[:start], where a stop just before start ends a sentence.
            sentence_start = start
        else:
            before = bisect.bisect_right(ends, start)
            sentence_start = ends[before - 1] if before else 0
        after = bisect.bisect_right(ends, end)
        sentence_end = ends[after] if after < len(ends) else len(text)
        return text[sentence_start:sentence_end]

    def positions(self, starts: tuple[_Start, ...]) -> list[int]:
        found: set[int] = set()
        words = self._words()
        for kind, literal, exact in starts:
            if kind == "text":
                found.update(self._occurrences(literal))
            elif exact:
                found.update(words.get(literal, ()))
            else:
                at = bisect.bisect_left(self._sorted, literal)
                while at < len(self._sorted) and self._sorted[at].startswith(literal):
                    found.update(words[self._sorted[at]])
                    at += 1
        return sorted(found)

    def _words(self) -> dict[str, list[int]]:
        if self._starts is None:
            index: dict[str, list[int]] = {}
            for match in _WORD_RUN.finditer(self._text):
                index.setdefault(_fold(match.group()), []).append(match.start())
            self._starts = index
            self._sorted = sorted(index)
        return self._starts

    def _occurrences(self, literal: str) -> Iterable[int]:
        if self._folded is None:
            # One character for one, so offsets stay those of the text.
            text = self._text
            self._folded = text.lower() if text.isascii() else "".join(map(_fold_char, text))
        folded = self._folded
        at = folded.find(literal)
        while at != -1:
            yield at
            at = folded.find(literal, at + 1)


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
