"""What a published recommendation looks like in an organization's chat, and the admin's progress."""

from __future__ import annotations

import datetime as dt

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import OutboxState
from bot.telegram.callbacks import ReportOpen
from bot.texts.i18n import Html, Translator
from storage.models import AddresseeGroup, Recommendation, Resolution


def format_day(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def recommendation_number(group: AddresseeGroup, rec: Recommendation) -> str:
    return f"{group.position}.{rec.position}"


def resolution_label(t: Translator, resolution: Resolution) -> Html:
    if resolution.adopted_on:
        return t("delivery.resolution_dated", title=resolution.title, date=format_day(resolution.adopted_on))
    return t("delivery.resolution", title=resolution.title)


def deadline_of(resolution: Resolution, rec: Recommendation) -> dt.date | None:
    return rec.deadline or resolution.deadline


def intro_text(t: Translator, resolution: Resolution, groups: list[AddresseeGroup], org_name: str) -> Html:
    count = sum(len(g.recommendations) for g in groups)
    lines = [
        t("delivery.intro", resolution=resolution_label(t, resolution), org=org_name),
        t.n("delivery.intro_count", count),
    ]
    for group in groups:
        lines.append(t("delivery.intro_group", heading=group.heading))
    if resolution.deadline:
        lines.append(t("delivery.deadline", date=format_day(resolution.deadline)))
    lines.append(t("delivery.intro_howto"))
    return Html("\n".join(lines))


def recommendation_text(
    t: Translator, resolution: Resolution, group: AddresseeGroup, rec: Recommendation
) -> Html:
    lines = [
        t("delivery.rec_title", number=recommendation_number(group, rec)),
        t("delivery.rec_body", text=rec.text),
        t("delivery.rec_source", resolution=resolution_label(t, resolution)),
    ]
    deadline = deadline_of(resolution, rec)
    if deadline:
        lines.append(t("delivery.deadline", date=format_day(deadline)))
    return Html("\n".join(lines))


def report_button(t: Translator, rec_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=t.plain("btn.report"), callback_data=ReportOpen(rec_id=rec_id).pack())]
        ]
    )


def progress_text(
    t: Translator, title: str, counts: dict[OutboxState, int], unreachable_people: int, finished: bool
) -> Html:
    total = sum(counts.values())
    return t(
        "delivery.progress_done" if finished else "delivery.progress",
        title=title,
        sent=counts.get(OutboxState.SENT, 0),
        total=total,
        queued=counts.get(OutboxState.PENDING, 0) + counts.get(OutboxState.SENDING, 0),
        unreachable=unreachable_people,
        failed=counts.get(OutboxState.FAILED, 0),
    )
