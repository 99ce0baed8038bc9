"""Documents, photos, albums and getFile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tg_emulator.api_messages import caption_fields, message_caption
from tg_emulator.errors import bad_request, entity_too_large
from tg_emulator.files import guess_mime_type
from tg_emulator.formatting import FormattedText, format_text
from tg_emulator.limits import (
    MAX_CAPTION_LENGTH,
    MAX_DOCUMENT_UPLOAD_BYTES,
    MAX_DOWNLOAD_BYTES,
    MAX_PHOTO_UPLOAD_BYTES,
    MEDIA_GROUP_MAX,
    MEDIA_GROUP_MIN,
)
from tg_emulator.markup import validate_reply_markup
from tg_emulator.request_parsing import RequestParams, UploadedFile
from tg_emulator.state import SentMessage, StoredFile

if TYPE_CHECKING:
    from tg_emulator.dispatch import Handler
    from tg_emulator.engine import EmulatorEngine

_GENERIC_MIME = frozenset({"application/octet-stream", ""})


def _stored_by_reference(engine: EmulatorEngine, reference: str, kind: str) -> StoredFile:
    if reference.startswith(("http://", "https://")):
        # The emulator never fetches URLs; a bot relying on Telegram downloading a URL must be tested live.
        raise bad_request("failed to get HTTP URL content")
    stored = engine.files.get(reference)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
    return stored


def _check_upload(upload: UploadedFile, limit: int) -> None:
    if upload.size == 0:
        raise bad_request("file must be non-empty")
    if upload.size > limit:
        raise entity_too_large()


def resolve_document(engine: EmulatorEngine, source: UploadedFile | str) -> StoredFile:
    if isinstance(source, str):
        return _stored_by_reference(engine, source, "document")
    _check_upload(source, MAX_DOCUMENT_UPLOAD_BYTES)
    # Telegram names the type from the file name, not from the multipart header aiogram leaves generic.
    mime_type = source.content_type if source.content_type not in _GENERIC_MIME else None
    return engine.files.add(
        "document",
        content=source.content,
        file_name=source.file_name,
        mime_type=mime_type or guess_mime_type(source.file_name),
    )


def resolve_photo(engine: EmulatorEngine, source: UploadedFile | str) -> list[StoredFile]:
    if isinstance(source, str):
        stored = _stored_by_reference(engine, source, "photo")
        return engine.files.photo_group(stored.file_id)
    _check_upload(source, MAX_PHOTO_UPLOAD_BYTES)
    return engine.files.add_photo(source.content)


def _media_fields(resolved: StoredFile | list[StoredFile]) -> dict[str, Any]:
    if isinstance(resolved, list):
        return {"photo": [size.photo_size_api() for size in resolved], "content": resolved[-1].content}
    return {"document": resolved.document_api(), "content": resolved.content}


async def _send_media(engine: EmulatorEngine, params: RequestParams, field: str) -> Any:
    chat_id = engine.chat_id_param(params)
    engine.writable_user(chat_id)
    source = params.input_file(field)
    if source is None:
        raise bad_request(f"there is no {field} in the request")
    caption = message_caption(params)
    markup = validate_reply_markup(params.json("reply_markup", "reply keyboard markup"))
    reply_to = engine.reply_target(chat_id, params)
    resolved = resolve_document(engine, source) if field == "document" else resolve_photo(engine, source)
    engine.check_rate(chat_id)
    message = engine.new_bot_message(
        chat_id,
        **caption_fields(caption),
        **_media_fields(resolved),
        reply_markup=markup,
        reply_to_message_id=reply_to,
    )
    engine.commit_sent(message)
    return engine.message_api(message)


async def send_document(engine: EmulatorEngine, params: RequestParams) -> Any:
    return await _send_media(engine, params, "document")


async def send_photo(engine: EmulatorEngine, params: RequestParams) -> Any:
    return await _send_media(engine, params, "photo")


AlbumItem = tuple[StoredFile | list[StoredFile], FormattedText | None]


def _album_item(engine: EmulatorEngine, params: RequestParams, item: Any) -> AlbumItem:
    if not isinstance(item, dict) or not isinstance(item.get("media"), str):
        raise bad_request("can't parse InputMedia JSON object")
    kind = item.get("type")
    if kind not in ("photo", "document"):
        raise bad_request(f'media type "{kind}" is not supported by the emulator')
    reference: str = item["media"]
    source: UploadedFile | str = reference
    if reference.startswith("attach://"):
        upload = params.attachment(reference)
        if upload is None:
            raise bad_request(f'can\'t find the attached file "{reference}"')
        source = upload
    caption = None
    if item.get("caption"):
        caption = format_text(item["caption"], item.get("parse_mode"), item.get("caption_entities"))
        if caption.length > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
    resolved = resolve_document(engine, source) if kind == "document" else resolve_photo(engine, source)
    return resolved, caption


async def send_media_group(engine: EmulatorEngine, params: RequestParams) -> Any:
    chat_id = engine.chat_id_param(params)
    engine.writable_user(chat_id)
    media = params.json("media", "media")
    if not isinstance(media, list):
        raise bad_request("can't parse media JSON object")
    if not MEDIA_GROUP_MIN <= len(media) <= MEDIA_GROUP_MAX:
        raise bad_request(f"media group must contain {MEDIA_GROUP_MIN}-{MEDIA_GROUP_MAX} items")
    kinds = {item.get("type") for item in media if isinstance(item, dict)}
    if "document" in kinds and len(kinds) > 1:
        raise bad_request("document can't be mixed with other media types")
    reply_to = engine.reply_target(chat_id, params)
    items = [_album_item(engine, params, item) for item in media]
    # Every item of an album is a message of its own for the flood limits.
    engine.check_rate(chat_id, cost=len(items))
    group_id = engine.next_media_group_id()
    messages: list[SentMessage] = []
    for resolved, caption in items:
        message = engine.new_bot_message(
            chat_id,
            **caption_fields(caption),
            **_media_fields(resolved),
            media_group_id=group_id,
            reply_to_message_id=reply_to,
        )
        engine.commit_sent(message)
        messages.append(message)
    return [engine.message_api(message) for message in messages]


async def get_file(engine: EmulatorEngine, params: RequestParams) -> Any:
    stored = engine.files.get(params.string("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": engine.files.assign_path(stored),
    }


HANDLERS: dict[str, Handler] = {
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "sendMediaGroup": send_media_group,
    "getFile": get_file,
}
