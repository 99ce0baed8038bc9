"""Reading a Bot API call's parameters from a query string, form, multipart or JSON body."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tg_emulator.errors import ApiError, bad_request, entity_too_large
from tg_emulator.limits import MAX_REQUEST_BYTES

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})
_CHUNK = 256 * 1024


@dataclass(frozen=True)
class UploadedFile:
    field_name: str
    file_name: str
    content: bytes = field(repr=False)
    content_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.content)


class RequestParams:
    """Typed access to parameters: scalars may come as strings (forms) or native values (JSON)."""

    def __init__(
        self, values: dict[str, Any] | None = None, files: dict[str, UploadedFile] | None = None
    ) -> None:
        self.values: dict[str, Any] = dict(values or {})
        self.files: dict[str, UploadedFile] = dict(files or {})

    def as_dict(self) -> dict[str, Any]:
        """Everything the call carried, uploaded files included as UploadedFile objects."""
        return {**self.values, **self.files}

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.files

    def string(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value, ensure_ascii=False)

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError as exc:
            raise bad_request(f'field "{name}" must be of type Integer') from exc

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise bad_request(f'field "{name}" must be of type Float') from exc

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad_request(f'field "{name}" must be of type Boolean')

    def json(self, name: str, what: str | None = None) -> Any:
        """An object parameter: decoded from its JSON string in forms, taken as-is from JSON bodies."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError as exc:
            raise bad_request(f"can't parse {what or name} JSON object") from exc

    def attachment(self, reference: str) -> UploadedFile | None:
        """The uploaded part an `attach://<key>` reference points at."""
        return self.files.get(reference.removeprefix("attach://"))

    def input_file(self, name: str) -> UploadedFile | str | None:
        """A file parameter: the uploaded part itself, an `attach://` reference, or a file_id/URL string."""
        if name in self.files:
            return self.files[name]
        value = self.string(name)
        if value and value.startswith("attach://"):
            upload = self.attachment(value)
            if upload is None:
                raise bad_request(f'can\'t find the attached file "{value}"')
            return upload
        return value or None


async def _read_part(part: BodyPartReader, budget: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while chunk := await part.read_chunk(_CHUNK):
        total += len(chunk)
        if total > budget:
            raise entity_too_large()
        chunks.append(chunk)
    return b"".join(chunks)


async def read_params(request: web.Request) -> RequestParams:
    """Collects the call's parameters; query string first, then the body, as the Bot API accepts both."""
    params = RequestParams(dict(request.query))
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        raise entity_too_large()
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an object")
        params.values.update(body)
    elif content_type == "multipart/form-data":
        budget = MAX_REQUEST_BYTES
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            name = part.name if isinstance(part, BodyPartReader) else None
            if name is None or not isinstance(part, BodyPartReader):
                continue
            content = await _read_part(part, budget)
            budget -= len(content)
            if part.filename is not None:
                content_type_header = part.headers.get("Content-Type")
                params.files[name] = UploadedFile(name, part.filename, content, content_type_header)
            else:
                params.values[name] = content.decode(part.get_charset(default="utf-8"))
    elif request.can_read_body:
        try:
            form = await request.post()
        except ValueError as exc:
            raise ApiError(400, "Bad Request: can't parse request body") from exc
        params.values.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params
