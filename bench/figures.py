"""Figures of a benchmark: samples per run, summarised as median with min and max over the runs.

Every figure is measured in runs; one run yields one number (a launch time, or the median of a batch
of operations). A subject is always measured in the same runs as its baseline, interleaved, so the
ratio compares like with like (same machine load, same caches).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@dataclass
class Figure:
    """One measured quantity: one value per run (seconds, or bytes for memory)."""

    name: str
    unit: str = "s"  # "s" or "MB"
    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def summary(self) -> dict[str, float | int]:
        return {"median": self.median, "min": min(self.values), "max": max(self.values),
                "runs": len(self.values), "values": list(self.values)}


@dataclass
class Row:
    """A line of the table: a subject, its baseline, at a store size."""

    group: str  # "TUI 120×40", "store", "CLI"
    what: str
    size: int | None
    subject: Figure
    baseline: Figure | None = None
    baseline_name: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline.values or not self.subject.values:
            return None
        base = self.baseline.median
        return self.subject.median / base if base > 0 else None

    def to_dict(self) -> dict[str, object]:
        return {
            "group": self.group, "what": self.what, "size": self.size, "unit": self.subject.unit,
            "subject": self.subject.summary() if self.subject.values else None,
            "baseline_name": self.baseline_name or None,
            "baseline": self.baseline.summary() if self.baseline and self.baseline.values
            else None,
            "ratio": self.ratio, "note": self.note or None,
        }


def show(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "x":
        return f"{value:.2f}×"
    if value >= 10:
        return f"{value:.1f} s"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.01:
        return f"{value * 1000:.0f} ms"
    return f"{value * 1000:.2f} ms"


def spread(figure: Figure) -> str:
    if not figure.values:
        return "—"
    s = figure.summary()
    return (f"{show(s['median'], figure.unit)} "
            f"[{show(s['min'], figure.unit)}–{show(s['max'], figure.unit)}]")


def _figure(name: str, unit: str, summary: dict | None) -> Figure | None:
    if summary is None:
        return None
    values = summary.get("values")
    if not values:  # older files: the median, min and max keep the summary as it was
        values = [summary["min"], summary["median"], summary["max"]]
    return Figure(name, unit, list(values))


def row_from_dict(data: dict) -> Row:
    """A row read back from a JSON result (to show or merge tables of several runs)."""
    unit = data.get("unit") or "s"
    return Row(data["group"], data["what"], data["size"],
               _figure("subject", unit, data["subject"]) or Figure("subject", unit),
               _figure("baseline", unit, data.get("baseline")), data.get("baseline_name") or "",
               data.get("note") or "")
