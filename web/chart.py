"""The attention chart: the timeline of a search as bars, laid out here and drawn as
inline SVG by a template, so it needs no script, no library and no network.

A bar's height is the share of everything published in its period that matches, not
the raw count: a story that fills a quiet month stands out from one lost in a busy one.
Across, positions are percentages, so the chart fills any width and its text keeps its
size on a phone; down, they are pixels of a fixed height.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

HEIGHT = 120  # pixels
PLOT_TOP, BASELINE = 18, 98  # bars stand between these; period labels go below
MAX_LABELS = 6


@dataclass(frozen=True, slots=True)
class Bar:
    x: float  # percent of the width
    width: float  # percent
    y: float  # pixels
    height: float  # pixels
    title: str  # the tooltip and the accessible text
    href: str


@dataclass(frozen=True, slots=True)
class Label:
    x: float  # percent
    text: str
    anchor: str  # SVG text-anchor: the first label starts, the last ends, at its bar


@dataclass(frozen=True, slots=True)
class Chart:
    bars: tuple[Bar, ...]
    labels: tuple[Label, ...]
    peak: str
    unit: str
    height: int = HEIGHT
    baseline: int = BASELINE


def attention_chart(timeline, link: Callable[[str], str]) -> Chart | None:
    """Bars for the timeline's periods; `link(period)` is where clicking a bar goes."""
    periods = timeline.periods
    if not any(p.matches for p in periods):
        return None
    peak = max(p.share for p in periods) or 1.0
    step = 100 / len(periods)
    gap = min(0.4, step * 0.2)
    bars = []
    for n, period in enumerate(periods):
        height = (BASELINE - PLOT_TOP) * period.share / peak
        if period.matches:
            height = max(height, 2.0)  # a match is never invisible
        title = f"{period.period}: {period.matches} of {period.articles} articles ({period.share:.0%})"
        bars.append(Bar(round(n * step + gap / 2, 3), round(step - gap, 3),
                        round(BASELINE - height, 2), round(height, 2), title, link(period.period)))
    return Chart(tuple(bars), _labels([p.period for p in periods], step), f"peak: {peak:.0%} of articles", timeline.unit)


def _labels(periods: list[str], step: float) -> tuple[Label, ...]:
    """The first and last period, and evenly spaced ones between, at their bars' centres."""
    every = max(1, -(-len(periods) // MAX_LABELS))
    shown = list(range(0, len(periods), every))
    if len(periods) > 1 and shown[-1] != len(periods) - 1:
        shown[-1] = len(periods) - 1  # end on the last period rather than near it
    labels = []
    for n in shown:
        anchor = "start" if n == 0 and len(shown) > 1 else "end" if n == len(periods) - 1 and n else "middle"
        x = {"start": n * step, "end": (n + 1) * step, "middle": n * step + step / 2}[anchor]
        labels.append(Label(round(x, 3), periods[n], anchor))
    return tuple(labels)
