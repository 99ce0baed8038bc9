"""The digest's chart: progress per addressee group and per municipality as stacked bars.

Organization, municipality and group names are user text: matplotlib would read `$…$` in them as
mathtext, and one name with a bad `\\command` would stop every digest. Mathtext is off for every text
artist (the `text.parse_math` default below), so names are drawn exactly as written.
"""

from __future__ import annotations

import io

import matplotlib

# Servers have no display: pin the raster backend before anything can pick an interactive one.
matplotlib.use("Agg")
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.documents.figures import DigestFigures, Tally
from bot.documents.ranking import MunicipalRanking
from bot.domain.ranking import Light
from bot.texts.i18n import Translator

# Set once at import, before any artist exists, and never changed: the worker threads digests run in
# all read the same value.
matplotlib.rcParams["text.parse_math"] = False

# «Выполнено» in three parts by the department's review: accepted, awaiting review, returned.
SERIES = (
    ("doc.chart_done_accepted", "#1b5e20", lambda t: t.accepted_done),
    ("doc.chart_done_awaiting", "#81c784", lambda t: t.done_awaiting_review),
    ("doc.chart_done_returned", "#8d6e63", lambda t: t.returned_done),
    ("status.in_progress", "#f9a825", lambda t: t.in_progress),
    ("status.not_started", "#90a4ae", lambda t: t.not_started),
    ("status.not_applicable", "#cfd8dc", lambda t: t.not_applicable),
    ("doc.no_answer", "#c62828", lambda t: t.no_answer),
)
MAX_MUNICIPALITIES = 30
NOTE_INSIDE_FROM = 60.0
# The thresholds' values on white: the light's colour, the yellow darkened to be legible.
LABEL_COLORS = {Light.GREEN: "#2e7d32", Light.YELLOW: "#a66f00"}
# Readable on the bar's own colour.
NOTE_COLORS = {Light.GREEN: "white", Light.YELLOW: "black", Light.RED: "white"}
LIGHT_COLORS = {Light.GREEN: "#2e7d32", Light.YELLOW: "#f9a825", Light.RED: "#c62828"}
MAX_GROUPS = 20
MAX_ORGANIZATIONS = 40
# The title and the legend above the panels.
HEADER_INCHES = 0.8


def _bars(axes: Axes, labels: list[str], tallies: list[Tally], title: str, t: Translator) -> None:
    lefts = [0.0] * len(tallies)
    # Numeric positions: equal labels (item 1 of two resolutions) must stay separate bars.
    positions = list(range(len(tallies)))
    for key, color, value in SERIES:
        shares = [100.0 * value(tally) / tally.total if tally.total else 0.0 for tally in tallies]
        axes.barh(positions, shares, left=lefts, color=color, label=t.plain(key))
        lefts = [a + b for a, b in zip(lefts, shares, strict=True)]
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, 100)
    axes.set_xlabel(t.plain("doc.chart_axis"))
    axes.set_title(title, loc="left", fontsize=11)
    axes.invert_yaxis()


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ranked_bars(axes: Axes, ranking: MunicipalRanking, t: Translator) -> None:
    """The municipalities best first: one bar each, the share of accepted «Выполнено», in its light's
    colour, with the overdue items written on it; the thresholds are dashed lines behind the bars."""
    items = ranking.items[:MAX_MUNICIPALITIES]
    positions = list(range(len(items)))
    shares = [item.standing.percent for item in items]
    axes.barh(positions, shares, color=[LIGHT_COLORS[item.light] for item in items], zorder=2)
    for position, item in zip(positions, items, strict=True):
        percent = item.standing.percent
        note = t.plain("rank.chart_note", percent=round(percent), overdue=item.standing.overdue)
        # A long bar carries its note inside, a short one beside it: either way it stays on the chart.
        if percent >= NOTE_INSIDE_FROM:
            x, align, color = percent - 1, "right", NOTE_COLORS[item.light]
        else:
            x, align, color = percent + 1, "left", "black"
        axes.text(x, position, note, va="center", ha=align, color=color, fontsize=8, zorder=3)
    limits = ranking.thresholds
    for limit, light in ((limits.green, Light.GREEN), (limits.yellow, Light.YELLOW)):
        axes.axvline(limit, color=LIGHT_COLORS[light], linestyle="--", linewidth=1, zorder=1)
        # The threshold's value just above the panel, where no bar can hide it.
        axes.text(
            limit,
            1.01,
            f"{limit:g}%",
            transform=axes.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            color=LABEL_COLORS[light],
        )
    axes.set_yticks(positions, [_short(f"{item.rank}. {item.standing.name}") for item in items])
    axes.set_xlim(0, 100)
    axes.set_xlabel(t.plain("rank.chart_axis"))
    axes.set_title(t.plain("rank.chart_title"), loc="left", fontsize=11, pad=14)
    axes.invert_yaxis()


def _bottom_rows(figures: DigestFigures, ranking: MunicipalRanking | None) -> int:
    if ranking and ranking.items:
        return len(ranking.items[:MAX_MUNICIPALITIES])
    if figures.municipality is not None:
        return len(figures.organizations[:MAX_ORGANIZATIONS])
    return len(figures.municipalities) if figures.municipalities else 1


def _bottom(axes: Axes, figures: DigestFigures, ranking: MunicipalRanking | None, t: Translator) -> None:
    """The region's digest ranks its municipalities; a digest of one municipality shows its
    organizations, the least accepted first (who to call); otherwise municipalities stacked."""
    if ranking and ranking.items:
        _ranked_bars(axes, ranking, t)
        return
    if figures.municipality is not None:
        orgs = sorted(figures.organizations, key=lambda o: (o.tally.percent_accepted, o.name))
        orgs = orgs[:MAX_ORGANIZATIONS]
        title = t.plain("doc.chart_by_organization")
        _bars(axes, [_short(o.name) for o in orgs], [o.tally for o in orgs], title, t)
        return
    munis = list(figures.municipalities.items())[:MAX_MUNICIPALITIES]
    no_municipality = t.plain("card.no_municipality")
    labels = [_short(name or no_municipality) for name, _ in munis]
    _bars(axes, labels, [tally for _, tally in munis], t.plain("doc.chart_by_municipality"), t)


def chart_figure(figures: DigestFigures, t: Translator, ranking: MunicipalRanking | None = None) -> Figure:
    """The chart as a matplotlib figure, every word from the catalogs in the translator's locale."""
    groups = figures.groups[:MAX_GROUPS]
    heights = [max(1.5, 0.45 * len(groups) + 0.8), max(1.5, 0.32 * _bottom_rows(figures, ranking) + 0.8)]
    height = sum(heights) + HEADER_INCHES
    # The object API, not pyplot: pyplot's global state is not safe in the worker threads digests run in.
    figure = Figure(figsize=(10, height), dpi=100)
    top, bottom = figure.subplots(2, 1, gridspec_kw={"height_ratios": heights})
    group_labels = [_short(f"{g.position}. {g.heading}") for g, _ in groups]
    _bars(top, group_labels, [tally for _, tally in groups], t.plain("doc.chart_by_group"), t)
    _bottom(bottom, figures, ranking, t)
    figure.suptitle(t.plain("doc.chart_title", date=figures.today.strftime("%d.%m.%Y")), fontsize=13)
    # The legend in a band of its own under the title, whatever the panels' heights: placed relative to
    # a short panel it would run into the panel's title.
    handles, labels = top.get_legend_handles_labels()
    anchor = (0.5, 1 - 0.42 / height)
    legend = {"loc": "upper center", "ncol": 4, "fontsize": 8, "frameon": False}
    figure.legend(handles, labels, bbox_to_anchor=anchor, **legend)
    figure.tight_layout(rect=(0, 0, 1, 1 - HEADER_INCHES / height))
    return figure


def build_chart(figures: DigestFigures, t: Translator, ranking: MunicipalRanking | None = None) -> bytes:
    """PNG bytes; CPU-bound (under a second): call it in a worker thread."""
    figure = chart_figure(figures, t, ranking)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    # Not registered with pyplot, so nothing keeps it alive; clearing drops the artists at once.
    figure.clear()
    return buffer.getvalue()
