"""«Документы»: the menu of officials and admins, and the steps of invitation letters."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import OrgKind
from bot.services.letters import LetterBatch
from bot.services.organizations import municipality_code
from bot.telegram.callbacks import DocumentReport, LetterGo, LetterPick, LetterScope
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import shorten
from storage.models import Resolution

MAX_MUNICIPALITY_BUTTONS = 60


def documents_menu_view(
    t: Translator, published: list[Resolution], is_admin: bool
) -> tuple[Html, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    for resolution in published:
        label = t.plain("documents.btn_report", title=shorten(resolution.title, 50))
        builder.button(text=label, callback_data=DocumentReport(res_id=resolution.id))
    if is_admin:
        builder.button(
            text=t.plain("documents.btn_letters"), callback_data=LetterPick(scope=LetterScope.START)
        )
    builder.adjust(1)
    lines = [t("documents.menu")]
    if not published:
        lines.append(t("documents.no_published"))
    return Html("\n".join(lines)), builder.as_markup()


def letters_scope_view(t: Translator) -> tuple[Html, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.plain("documents.letters.btn_all"), callback_data=LetterPick(scope=LetterScope.ALL))
    for kind in OrgKind:
        builder.button(
            text=t.plain(f"kind.{kind.value}"), callback_data=LetterPick(scope=LetterScope.KIND, kind=kind)
        )
    builder.button(
        text=t.plain("documents.letters.btn_municipality"), callback_data=LetterPick(scope=LetterScope.MUNIS)
    )
    builder.button(
        text=t.plain("documents.letters.btn_unstaffed"), callback_data=LetterPick(scope=LetterScope.UNSTAFFED)
    )
    builder.adjust(1)
    return t("documents.letters.choose"), builder.as_markup()


def letters_municipality_view(t: Translator, names: list[str]) -> tuple[Html, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    for name in names[:MAX_MUNICIPALITY_BUTTONS]:
        builder.button(
            text=shorten(name, 40),
            callback_data=LetterPick(scope=LetterScope.MUNI, muni=municipality_code(name)),
        )
    builder.button(text=t.plain("btn.back"), callback_data=LetterPick(scope=LetterScope.START))
    builder.adjust(2)
    return t("documents.letters.choose_municipality"), builder.as_markup()


def choice_label(t: Translator, pick: LetterPick | LetterGo, municipality: str | None) -> str:
    if pick.scope is LetterScope.KIND and pick.kind is not None:
        return t.plain("documents.letters.scope_kind", kind=t.plain(f"kind.{pick.kind.value}"))
    if pick.scope is LetterScope.MUNI:
        return t.plain("documents.letters.scope_municipality", name=municipality or "—")
    if pick.scope is LetterScope.UNSTAFFED:
        return t.plain("documents.letters.scope_unstaffed")
    return t.plain("documents.letters.scope_all")


def letters_confirm_view(
    t: Translator, pick: LetterPick, municipality: str | None, count: int
) -> tuple[Html, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    if count:
        common = {"scope": pick.scope, "kind": pick.kind, "muni": pick.muni}
        builder.button(
            text=t.plain("documents.letters.btn_go_revoke"), callback_data=LetterGo(**common, revoke=True)
        )
        builder.button(
            text=t.plain("documents.letters.btn_go_keep"), callback_data=LetterGo(**common, revoke=False)
        )
    builder.button(text=t.plain("btn.back"), callback_data=LetterPick(scope=LetterScope.START))
    builder.adjust(1)
    label = choice_label(t, pick, municipality)
    if not count:
        return t("documents.letters.nobody_in", choice=label), builder.as_markup()
    return t("documents.letters.confirm", choice=label, count=count), builder.as_markup()


def letters_done_text(t: Translator, batch: LetterBatch) -> Html:
    return t("documents.letters.done", count=len(batch.letters), revoked=batch.revoked)
