"""Members: /report, /my and the report dialog; the dialog's steps live in member_dialog and
member_evidence, and are registered here in the order they must match."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.types import CallbackQuery, Message

from bot.services import Services
from bot.telegram.answers import edit_or_answer
from bot.telegram.callbacks import (
    EvidenceRemove,
    ReportAct,
    ReportList,
    ReportOpen,
    ReportRevise,
    ReportStatusPick,
    ReportStep,
)
from bot.telegram.filters import MEMBER
from bot.telegram.views.reports import report_list_view, summary_view
from bot.texts.i18n import Translator
from handlers import member_dialog as dialog
from handlers import member_evidence as evidence
from handlers.member_dialog import ReportDialog
from storage.models import Person

NOT_COMMAND = ~F.text.startswith("/")
TEXT = (F.text, NOT_COMMAND)


async def report_list(message: Message, services: Services, person: Person, t: Translator) -> None:
    overview = await services.reports.overview(person, services.today())
    text, markup = report_list_view(t, overview, 0)
    await message.answer(text, reply_markup=markup)


async def report_list_page(
    query: CallbackQuery, callback_data: ReportList, services: Services, person: Person, t: Translator
) -> None:
    overview = await services.reports.overview(person, services.today())
    await edit_or_answer(query, *report_list_view(t, overview, callback_data.page))


async def my_summary(message: Message, services: Services, person: Person, t: Translator) -> None:
    overview = await services.reports.overview(person, services.today())
    await message.answer(summary_view(t, overview))


def step(action: ReportAct) -> CallbackQueryFilter:
    return ReportStep.filter(F.action == action)


def register_dialog(member: Router) -> None:
    member.callback_query.register(dialog.open_dialog, ReportOpen.filter())
    member.callback_query.register(dialog.revise_dialog, ReportRevise.filter())
    member.callback_query.register(dialog.picked_status, ReportDialog.status, ReportStatusPick.filter())
    member.message.register(dialog.got_reason, ReportDialog.reason, *TEXT)
    member.message.register(dialog.got_comment, ReportDialog.comment, *TEXT)
    member.callback_query.register(dialog.keep_comment, ReportDialog.comment, step(ReportAct.KEEP_COMMENT))
    member.message.register(evidence.got_document, ReportDialog.evidence, F.document)
    member.message.register(evidence.got_photo, ReportDialog.evidence, F.photo)
    member.message.register(evidence.got_text, ReportDialog.evidence, *TEXT)
    done = ReportStep.filter(F.action.in_({ReportAct.EVIDENCE_DONE, ReportAct.NO_EVIDENCE}))
    member.callback_query.register(dialog.to_confirmation, ReportDialog.evidence, done)
    member.callback_query.register(evidence.remove_attached, ReportDialog.evidence, EvidenceRemove.filter())
    member.callback_query.register(dialog.submit, ReportDialog.confirm, step(ReportAct.SUBMIT))
    member.callback_query.register(dialog.edit, ReportDialog.confirm, step(ReportAct.EDIT))
    member.callback_query.register(dialog.cancel, StateFilter(ReportDialog), step(ReportAct.CANCEL))
    member.message.register(evidence.unsupported_evidence, ReportDialog.evidence, ~F.text)
    member.message.register(dialog.status_by_buttons, ReportDialog.status, NOT_COMMAND)
    member.message.register(dialog.text_expected, ReportDialog.reason, NOT_COMMAND)
    member.message.register(dialog.text_expected, ReportDialog.comment, NOT_COMMAND)
    member.message.register(dialog.confirm_by_buttons, ReportDialog.confirm, NOT_COMMAND)


def router() -> Router:
    member = Router(name="member_reports")
    member.message.filter(MEMBER)
    member.callback_query.filter(MEMBER)
    member.message.register(report_list, Command("report"))
    member.callback_query.register(report_list_page, ReportList.filter())
    member.message.register(my_summary, Command("my"))
    register_dialog(member)
    return member
