"""Text messages, their edits and deletion, chat actions and callback answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tg_emulator.errors import bad_request
from tg_emulator.formatting import FormattedText, format_text
from tg_emulator.limits import MAX_CALLBACK_ANSWER_LENGTH, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH
from tg_emulator.markup import inline_markup, validate_reply_markup
from tg_emulator.request_parsing import RequestParams
from tg_emulator.state import CallbackAnswer, ChatEvent, SentMessage

if TYPE_CHECKING:
    from tg_emulator.dispatch import Handler
    from tg_emulator.engine import EmulatorEngine

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


def message_text(params: RequestParams) -> FormattedText:
    """`text` parsed per `parse_mode`/`entities`, within Telegram's 1–4096 visible characters."""
    formatted = format_text(params.string("text") or "", params.string("parse_mode"), params.json("entities"))
    if formatted.is_blank:
        raise bad_request("message text is empty")
    if formatted.length > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return formatted


def message_caption(params: RequestParams) -> FormattedText | None:
    source = params.string("caption")
    if not source:
        return None
    formatted = format_text(source, params.string("parse_mode"), params.json("caption_entities", "entities"))
    if formatted.length > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return formatted


def caption_fields(caption: FormattedText | None) -> dict[str, Any]:
    if caption is None:
        return {"caption": None, "caption_entities": [], "html": None, "parse_mode": None}
    return {
        "caption": caption.text,
        "caption_entities": caption.entities,
        "html": caption.source if caption.parse_mode else None,
        "parse_mode": caption.parse_mode,
    }


async def send_message(engine: EmulatorEngine, params: RequestParams) -> Any:
    chat_id = engine.chat_id_param(params)
    engine.writable_user(chat_id)
    text = message_text(params)
    markup = validate_reply_markup(params.json("reply_markup", "reply keyboard markup"))
    reply_to = engine.reply_target(chat_id, params)
    engine.check_rate(chat_id)
    message = engine.new_bot_message(
        chat_id,
        text=text.text,
        entities=text.entities,
        html=text.source if text.parse_mode else None,
        parse_mode=text.parse_mode,
        reply_markup=markup,
        reply_to_message_id=reply_to,
    )
    engine.commit_sent(message)
    return engine.message_api(message)


def _edit_target(engine: EmulatorEngine, params: RequestParams) -> SentMessage:
    if params.has("inline_message_id"):
        # Inline-mode messages never exist here: the emulator has no inline queries.
        raise bad_request("MESSAGE_ID_INVALID")
    chat_id = engine.chat_id_param(params)
    engine.writable_user(chat_id)
    message_id = params.required_integer("message_id")
    return engine.bot_message_or_error(chat_id, message_id, "message to edit not found")


def _markup_after_edit(message: SentMessage, new_markup: dict[str, Any] | None) -> dict[str, Any] | None:
    # An edit without reply_markup removes the inline keyboard; a reply keyboard is not the message's to lose.
    if new_markup is None and inline_markup(message.reply_markup) is None:
        return message.reply_markup
    return new_markup


async def edit_message_text(engine: EmulatorEngine, params: RequestParams) -> Any:
    message = _edit_target(engine, params)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text = message_text(params)
    markup = validate_reply_markup(params.json("reply_markup", "reply keyboard markup"), inline_only=True)
    unchanged = text.text == message.text and text.entities == message.entities
    if unchanged and markup == inline_markup(message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    engine.check_rate(message.chat_id)
    engine.commit_edit(
        message,
        text=text.text,
        entities=text.entities,
        html=text.source if text.parse_mode else None,
        parse_mode=text.parse_mode,
        reply_markup=_markup_after_edit(message, markup),
    )
    return engine.message_api(message)


async def edit_message_reply_markup(engine: EmulatorEngine, params: RequestParams) -> Any:
    message = _edit_target(engine, params)
    markup = validate_reply_markup(params.json("reply_markup", "reply keyboard markup"), inline_only=True)
    if markup == inline_markup(message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    engine.commit_edit(message, reply_markup=_markup_after_edit(message, markup))
    return engine.message_api(message)


async def answer_callback_query(engine: EmulatorEngine, params: RequestParams) -> Any:
    query_id = params.string("callback_query_id") or ""
    pending = engine.callbacks.get(query_id)
    if pending is None or pending.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.string("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    pending.answer = CallbackAnswer(
        query_id=query_id,
        text=text or None,
        show_alert=params.boolean("show_alert"),
        url=params.string("url"),
        cache_time=params.integer("cache_time") or 0,
    )
    detail = f"{text or ''}{' (alert)' if pending.answer.show_alert else ''}"
    engine.chat(pending.chat_id).record(ChatEvent("callback_answer", detail=detail))
    return True


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "answerCallbackQuery": answer_callback_query,
}
