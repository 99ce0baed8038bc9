"""What a published recommendation, a reminder and the admin's delivery progress look like in a chat."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import OutboxState
from bot.services.intents import BatchProgress, DeliveryReport, Reminder, ReminderKind
from bot.telegram.callbacks import ExtensionAsk, ReportOpen, SnoozeAsk, day_code
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten
from bot.texts.titles import normalize_title, short_title
from storage.models import AddresseeGroup, Recommendation, Resolution

if TYPE_CHECKING:
    from bot.services.repeats import Repeat

REMINDER_ITEMS = 20
REMINDER_BUTTONS = 8
# Deadline and nudge reminders count days, so their texts agree with the number («1 день», «5 дней»).
REMINDER_TEXT = {ReminderKind.MANUAL: "remind.manual"}
REMINDER_TEXT_N = {ReminderKind.DEADLINE: "remind.deadline_n", ReminderKind.NUDGE: "remind.nudge_n"}
REASONS = {OutboxState.UNREACHABLE: "delivery.reason_blocked", OutboxState.FAILED: "delivery.reason_failed"}


def format_day(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def recommendation_number(group: AddresseeGroup, rec: Recommendation) -> str:
    return f"{group.position}.{rec.position}"


def resolution_label(t: Translator, resolution: Resolution) -> Html:
    """The full title with its date, for the introduction that opens a publication."""
    title = normalize_title(resolution.title)
    if resolution.adopted_on:
        return t("delivery.resolution_dated", title=title, date=format_day(resolution.adopted_on))
    return t("delivery.resolution", title=title)


def resolution_source(t: Translator, resolution: Resolution) -> Html:
    """The short title under each recommendation: the introduction above already gave the full one."""
    return t("delivery.resolution", title=short_title(resolution.title, resolution.adopted_on))


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


def repeat_label(t: Translator, repeat: Repeat) -> Html:
    """«повторяется: 2018, п. 3.2 (выполнено тогда: 12 из 40, 30%)», as the admin's preview shows it."""
    if not repeat.applicable:
        return t("documents.repeat_of_plain", year=repeat.year or "—", number=repeat.number)
    return t(
        "documents.repeat_of",
        year=repeat.year or "—",
        number=repeat.number,
        done=repeat.done,
        applicable=repeat.applicable,
        percent=repeat.percent_done,
    )


def recommendation_text(
    t: Translator,
    resolution: Resolution,
    group: AddresseeGroup,
    rec: Recommendation,
    repeat: Repeat | None = None,
) -> Html:
    lines = [
        t("delivery.rec_title", number=recommendation_number(group, rec)),
        t("delivery.rec_body", text=rec.text),
        t("delivery.rec_source", resolution=resolution_source(t, resolution)),
    ]
    if repeat is not None:
        lines.append(t("documents.member_repeat", year=repeat.year or "—", number=repeat.number))
    deadline = deadline_of(resolution, rec)
    if deadline:
        lines.append(t("delivery.deadline", date=format_day(deadline)))
    return Html("\n".join(lines))


def report_button(t: Translator, rec_id: int) -> InlineKeyboardMarkup:
    """«Отчитаться» and, beside it, «Перенести срок»."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t.plain("btn.report"), callback_data=ReportOpen(rec_id=rec_id).pack()
                ),
                InlineKeyboardButton(
                    text=t.plain("btn.ext_ask"), callback_data=ExtensionAsk(rec_id=rec_id).pack()
                ),
            ]
        ]
    )


def progress_text(t: Translator, progress: BatchProgress) -> Html:
    counts = progress.counts
    return t(
        "delivery.progress_done" if progress.finished else "delivery.progress",
        title=progress.title,
        sent=counts.get(OutboxState.SENT, 0),
        total=sum(counts.values()),
        queued=counts.get(OutboxState.PENDING, 0) + counts.get(OutboxState.SENDING, 0),
        unreachable=progress.unreachable_people,
        failed=counts.get(OutboxState.FAILED, 0),
    )


def delivery_report_lines(t: Translator, report: DeliveryReport) -> list[str]:
    """The final summary of a batch, then one line per person it did not reach."""
    lines: list[str] = [progress_text(t, report.progress)]
    if report.undelivered:
        lines += ["", t("delivery.unreachable_header")]
    for item in report.undelivered:
        lines.append(
            t(
                "delivery.unreachable_line",
                name=item.name if item.name is not None else str(item.chat_id),
                org=item.org if item.org is not None else "—",
                reason=t(REASONS.get(item.state, "delivery.reason_failed")),
            )
        )
    return lines


def reminder_text(t: Translator, reminder: Reminder) -> Html:
    items = reminder.items
    first = items[0]
    # Every kind gets every value; each text uses the ones it needs.
    values = {
        "org": first.org_name,
        "resolution": short_title(first.resolution_title, first.resolution_adopted_on),
        "date": format_day(reminder.deadline),
    }
    if reminder.kind in REMINDER_TEXT_N:
        days = reminder.days if reminder.days is not None else 0
        lines = [t.n(REMINDER_TEXT_N[reminder.kind], days, **values)]
    elif reminder.sender:
        # A municipal authority reminds its institutions: they see who asks.
        lines = [t("remind.manual_local", sender=reminder.sender, **values)]
    else:
        lines = [t(REMINDER_TEXT[reminder.kind], **values)]
    lines += [t("remind.line", number=i.number, text=shorten(i.text, 120)) for i in items[:REMINDER_ITEMS]]
    if len(items) > REMINDER_ITEMS:
        lines.append(t("remind.more", count=len(items) - REMINDER_ITEMS))
    lines.append(t("remind.hint"))
    return Html("\n".join(lines))


def reminder_keyboard(t: Translator, reminder: Reminder) -> InlineKeyboardMarkup | None:
    """One button per open recommendation (the first few): a tap opens its report; a deadline reminder
    ends with «Напомнить позже»."""
    buttons = [
        [
            InlineKeyboardButton(
                text=t.plain("btn.remind_report", number=item.number),
                callback_data=ReportOpen(rec_id=item.rec_id).pack(),
            )
        ]
        for item in reminder.items[:REMINDER_BUTTONS]
    ]
    if reminder.kind is ReminderKind.DEADLINE and reminder.deadline is not None and reminder.items:
        later = SnoozeAsk(res=reminder.items[0].resolution_id, day=day_code(reminder.deadline))
        buttons.append([InlineKeyboardButton(text=t.plain("btn.snooze"), callback_data=later.pack())])
    return InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None
