"""Documents, photos, albums and getFile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tg_emulator.api_messages import caption_fields, message_caption
from tg_emulator.errors import bad_request, entity_too_large
from tg_emulator.files import guess_mime_type
from tg_emulator.limits import (
    MAX_DOCUMENT_UPLOAD_BYTES,
    MAX_DOWNLOAD_BYTES,
    MAX_PHOTO_UPLOAD_BYTES,
)
from tg_emulator.markup import validate_reply_markup
from tg_emulator.request_parsing import RequestParams, UploadedFile
from tg_emulator.state import StoredFile

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
    "getFile": get_file,
}
