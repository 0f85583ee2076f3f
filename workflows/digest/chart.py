"""The digest's trend chart: runs and failures per day as a PNG (matplotlib, headless)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: a bot, a worker or CI

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from workflows.models.slack_notifications import DayPoint

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 3.2, 100  # 800 x 320 px: readable on a phone
GREEN, RED = "#2eb67d", "#e01e5a"


def trend_png(series: list[DayPoint], title: str = "GitHub Actions runs per day") -> bytes:
    """A bar chart of passed and failed runs per day; an empty series gives an empty chart."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)  # not pyplot: no global state
    axes = figure.add_subplot()
    labels = [point.day.strftime("%a %d") for point in series]
    failures = [point.failures for point in series]
    passed = [point.runs - point.failures for point in series]
    positions = list(range(len(series)))
    axes.bar(positions, passed, color=GREEN, label="other runs")
    axes.bar(positions, failures, bottom=passed, color=RED, label="failed")
    axes.set_xticks(positions, labels)
    axes.set_title(title)
    axes.set_ylabel("runs")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper left", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
