"""The digest's chart: progress per addressee group and per municipality as stacked bars."""

from __future__ import annotations

import io

import matplotlib

# Servers have no display: pin the raster backend before anything can pick an interactive one.
matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.documents.figures import DigestFigures, Tally

SERIES = (
    ("Выполнено", "#2e7d32", lambda t: t.done),
    ("В работе", "#f9a825", lambda t: t.in_progress),
    ("Не начато", "#90a4ae", lambda t: t.not_started),
    ("Не применимо", "#cfd8dc", lambda t: t.not_applicable),
    ("Нет ответа", "#c62828", lambda t: t.no_answer),
)
MAX_MUNICIPALITIES = 30
MAX_GROUPS = 20


def _bars(axes: Axes, labels: list[str], tallies: list[Tally], title: str) -> None:
    lefts = [0.0] * len(tallies)
    # Numeric positions: equal labels (item 1 of two resolutions) must stay separate bars.
    positions = list(range(len(tallies)))
    for name, color, value in SERIES:
        shares = [100.0 * value(t) / t.total if t.total else 0.0 for t in tallies]
        axes.barh(positions, shares, left=lefts, color=color, label=name)
        lefts = [a + b for a, b in zip(lefts, shares, strict=True)]
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, 100)
    axes.set_xlabel("% ячеек «организация × рекомендация»")
    axes.set_title(title, loc="left", fontsize=11)
    axes.invert_yaxis()


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_chart(figures: DigestFigures) -> bytes:
    """PNG bytes; CPU-bound (under a second): call it in a worker thread."""
    groups = figures.groups[:MAX_GROUPS]
    munis = list(figures.municipalities.items())[:MAX_MUNICIPALITIES]
    heights = [max(1.5, 0.45 * len(groups) + 0.8), max(1.5, 0.32 * len(munis) + 0.8)]
    # The object API, not pyplot: pyplot's global state is not safe in the worker threads digests run in.
    figure = Figure(figsize=(10, sum(heights) + 1.2), dpi=100)
    top, bottom = figure.subplots(2, 1, gridspec_kw={"height_ratios": heights})
    _bars(
        top,
        [_short(f"{g.position}. {g.heading}") for g, _ in groups],
        [t for _, t in groups],
        "По группам адресатов",
    )
    _bars(
        bottom,
        [_short(name or "— (региональный уровень)") for name, _ in munis],
        [t for _, t in munis],
        "По муниципалитетам",
    )
    top.legend(loc="upper center", bbox_to_anchor=(0.5, 1.45), ncol=5, fontsize=8, frameon=False)
    figure.suptitle(f"Ход выполнения резолюции на {figures.today.strftime('%d.%m.%Y')}", fontsize=13)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    # Not registered with pyplot, so nothing keeps it alive; clearing drops the artists at once.
    figure.clear()
    return buffer.getvalue()
