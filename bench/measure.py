"""Timing helpers and the figure record every benchmark reports."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass
class Figure:
    """One measured figure beside its baseline from the same run.

    ``limit`` is the budget on ``median`` (in ``unit``); ``ratio_limit`` a budget
    on median / baseline. ``checks`` are pass/fail facts that are not timings
    (e.g. "the model grew page by page").
    """

    name: str
    unit: str
    samples: list[float]
    baseline_name: str
    baseline_samples: list[float]
    limit: float | None = None
    ratio_limit: float | None = None
    checks: dict[str, bool] = field(default_factory=dict)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def baseline(self) -> float:
        return statistics.median(self.baseline_samples) if self.baseline_samples else 0.0

    @property
    def ratio(self) -> float | None:
        return self.median / self.baseline if self.baseline else None

    @property
    def passed(self) -> bool:
        ok = all(self.checks.values())
        if self.limit is not None:
            ok = ok and self.median <= self.limit
        if self.ratio_limit is not None:
            ok = ok and self.ratio is not None and self.ratio <= self.ratio_limit
        return ok

    def budget_text(self) -> str:
        parts = []
        if self.limit is not None:
            parts.append(f"<= {self.limit:g} {self.unit}")
        if self.ratio_limit is not None:
            parts.append(f"<= {self.ratio_limit:g}x")
        parts += [name for name in self.checks]
        return ", ".join(parts) or "-"

    def to_json(self) -> dict:
        data = asdict(self)
        data.update(
            median=self.median,
            spread=[min(self.samples), max(self.samples)],
            baseline=self.baseline,
            ratio=self.ratio,
            budget=self.budget_text(),
            passed=self.passed,
        )
        return data


def ms(func: Callable[[], object]) -> tuple[float, object]:
    """Milliseconds one call takes, and what it returned."""
    start = time.perf_counter()
    result = func()
    return (time.perf_counter() - start) * 1000, result


def repeat_ms(func: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    """``runs`` timings after ``warmup`` untimed calls (first-call imports and a
    cold page cache would otherwise be counted in one sample and not the rest)."""
    for _ in range(warmup):
        func()
    return [ms(func)[0] for _ in range(runs)]
