"""The digest as a short HTML summary, split safely under Telegram's 4096 characters."""

from __future__ import annotations

from bot.documents.figures import Changes, DigestFigures, OrgFigure, Tally
from bot.documents.ranking import MunicipalRanking, ranking_lines
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten, split_lines
from bot.texts.titles import normalize_title

LEAST_PROGRESS = 10
LISTED_ORGS = 30
LISTED_MUNICIPALITIES = 30


def _tally(t: Translator, tally: Tally) -> Html:
    return t(
        "digest.tally_review",
        accepted_percent=round(tally.percent_accepted),
        accepted=tally.accepted_done,
        done=tally.done,
        applicable=tally.applicable,
        percent=round(tally.percent_done),
        awaiting=tally.awaiting_review,
        returned=tally.returned,
        no_answer=tally.no_answer,
    )


def _org_line(t: Translator, key: str, org: OrgFigure) -> Html:
    return t(key, name=shorten(org.name, 80), municipality=org.municipality or "—", count=org.overdue)


def _overview(t: Translator, figures: DigestFigures, changes: Changes | None) -> list[str]:
    lines: list[str] = [t("digest.title", date=figures.today.strftime("%d.%m.%Y"))]
    for _, title in figures.resolutions:
        lines.append(t("digest.resolution", title=shorten(normalize_title(title), 150)))
    if figures.municipality:
        lines.append(t("digest.only_municipality", name=figures.municipality))
    overall = figures.overall
    lines += [
        "",
        t(
            "digest.overall_accepted",
            percent=round(overall.percent_accepted),
            accepted=overall.accepted_done,
            applicable=overall.applicable,
            declared=overall.done,
            declared_percent=round(overall.percent_done),
        ),
        t(
            "digest.review_detail",
            accepted=overall.accepted,
            awaiting=overall.awaiting_review,
            returned=overall.returned,
        ),
        t(
            "digest.overall_detail",
            in_progress=overall.in_progress,
            not_started=overall.not_started,
            not_applicable=overall.not_applicable,
            no_answer=overall.no_answer,
            orgs=len(figures.organizations),
            silent=len(figures.silent),
        ),
    ]
    if overall.total == 0:
        lines.append(t("digest.no_cells"))
    if changes is not None:
        lines.append(
            t(
                "digest.changes",
                done=f"{changes.done:+d}",
                answered=f"{changes.answered:+d}",
                orgs=changes.newly_answered_orgs,
            )
        )
        lines.append(t("digest.changes_percent", points=f"{changes.percent_points:+.1f}"))
    return lines


def _breakdown(t: Translator, figures: DigestFigures, ranking: MunicipalRanking | None) -> list[str]:
    """By group, by municipality (unless the digest is of one: ranked when the ranking is there), and the
    least advanced recommendations."""
    lines = ["", t("digest.by_group")]
    for group, tally in figures.groups:
        heading = shorten(group.heading, 80)
        lines.append(t("digest.group_line", number=group.position, heading=heading, tally=_tally(t, tally)))
    if ranking is not None and ranking.items:
        lines += ranking_lines(t, ranking)
    elif figures.municipality is None and figures.municipalities:
        lines += ["", t("digest.by_municipality")]
        for name, tally in list(figures.municipalities.items())[:LISTED_MUNICIPALITIES]:
            label = name or t.plain("card.no_municipality")
            lines.append(t("digest.muni_line", name=label, tally=_tally(t, tally)))
        if len(figures.municipalities) > LISTED_MUNICIPALITIES:
            lines.append(t("digest.and_more", count=len(figures.municipalities) - LISTED_MUNICIPALITIES))
    lines += ["", t("digest.least_progress")]
    for rec, tally in figures.least_progress(LEAST_PROGRESS):
        text = shorten(rec.text, 90)
        lines.append(t("digest.rec_line", number=rec.number, text=text, tally=_tally(t, tally)))
    return lines


def _org_list(t: Translator, title_key: str, line_key: str, orgs: list[OrgFigure]) -> list[str]:
    if not orgs:
        return []
    lines = ["", t(title_key, count=len(orgs))]
    lines += [_org_line(t, line_key, org) for org in orgs[:LISTED_ORGS]]
    if len(orgs) > LISTED_ORGS:
        lines.append(t("digest.and_more", count=len(orgs) - LISTED_ORGS))
    return lines


def render_digest_text(
    t: Translator, figures: DigestFigures, changes: Changes | None, ranking: MunicipalRanking | None = None
) -> list[str]:
    lines = _overview(t, figures, changes) + _breakdown(t, figures, ranking)
    lines += _org_list(t, "digest.silent", "digest.org_line", figures.silent)
    # The furthest behind first: that is who a department calls.
    overdue = sorted(figures.overdue, key=lambda o: -o.overdue)
    lines += _org_list(t, "digest.overdue", "digest.overdue_line", overdue)
    lines += ["", t("digest.files_hint")]
    return split_lines(lines)
