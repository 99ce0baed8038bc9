"""Files users and the bot uploaded: identifiers, photo size variants, download paths."""

from __future__ import annotations

import hashlib
import mimetypes
import secrets
import struct
from pathlib import PurePosixPath

from tg_emulator.state import FileKind, StoredFile

# Prefixes resembling Telegram's, so logs read naturally; nothing depends on them.
_ID_PREFIX: dict[FileKind, str] = {
    "document": "BQACAgIAAxkBAAI",
    "photo": "AgACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
}
_PATH_DIR: dict[FileKind, str] = {
    "document": "documents",
    "photo": "photos",
    "voice": "voice",
    "sticker": "stickers",
    "audio": "music",
    "video": "videos",
}
_PHOTO_SIDES = (90, 320, 800, 1280)
_MAX_PHOTO_SIDE = 2560
_DEFAULT_PHOTO_SIZE = (1280, 960)


def image_dimensions(content: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG, read from its header; None for anything else."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return width, height
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return width, height
    if content.startswith(b"\xff\xd8"):
        return _jpeg_dimensions(content)
    return None


def _jpeg_dimensions(content: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(content):
        if content[index] != 0xFF:
            index += 1
            continue
        marker = content[index + 1]
        # Start-of-frame markers carry the size; C4, C8 and CC share the range but mean other things.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", content[index + 5 : index + 9])
            return width, height
        (segment_length,) = struct.unpack(">H", content[index + 2 : index + 4])
        index += 2 + segment_length
    return None


def guess_mime_type(file_name: str) -> str:
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._photo_groups: dict[str, list[StoredFile]] = {}
        self._counter = 0

    def _unique_id(self, content: bytes | None, variant: str) -> str:
        # Same bytes → same file_unique_id, as Telegram keeps for one file across uploads and bots;
        # bytes-less files get a fresh one each time.
        seed = content if content is not None else secrets.token_bytes(16)
        digest = hashlib.sha256(seed + variant.encode()).hexdigest()
        return f"AgAD{digest[:16]}"

    def add(
        self,
        kind: FileKind,
        *,
        content: bytes | None,
        size: int | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
        variant: str = "",
    ) -> StoredFile:
        self._counter += 1
        stored = StoredFile(
            file_id=f"{_ID_PREFIX[kind]}{self._counter:06d}{secrets.token_urlsafe(18)}",
            file_unique_id=self._unique_id(content, f"{kind}{variant}"),
            kind=kind,
            size=size if size is not None else len(content or b""),
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._by_id[stored.file_id] = stored
        return stored

    def add_photo(
        self, content: bytes, *, width: int | None = None, height: int | None = None
    ) -> list[StoredFile]:
        """The PhotoSize variants Telegram makes of one photo, smallest first, all sharing `content`."""
        detected = image_dimensions(content)
        if detected is not None and min(detected) < 1:
            detected = None  # a header that claims 0×0 is as good as none
        full_width, full_height = (width, height) if width and height else detected or _DEFAULT_PHOTO_SIZE
        longest = max(full_width, full_height)
        sides = [side for side in _PHOTO_SIDES if side < longest] + [min(longest, _MAX_PHOTO_SIDE)]
        sizes: list[StoredFile] = []
        for side in sides:
            scale = side / longest
            scaled_width, scaled_height = (
                max(1, round(full_width * scale)),
                max(1, round(full_height * scale)),
            )
            estimated = len(content) if side == sides[-1] else max(1, round(len(content) * scale * scale))
            sizes.append(
                self.add(
                    "photo",
                    content=content,
                    size=estimated,
                    width=scaled_width,
                    height=scaled_height,
                    variant=str(side),
                )
            )
        for size in sizes:
            self._photo_groups[size.file_id] = sizes
        return sizes

    def photo_group(self, file_id: str) -> list[StoredFile]:
        """All sizes of the photo one of whose file_ids is given, as a resend of it returns them."""
        return list(self._photo_groups.get(file_id, []))

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)

    def assign_path(self, stored: StoredFile) -> str:
        if stored.file_path is None:
            suffix = PurePosixPath(stored.file_name or "").suffix
            if not suffix:
                suffix = mimetypes.guess_extension(stored.mime_type or "") or {
                    "photo": ".jpg",
                    "voice": ".oga",
                    "sticker": ".webp",
                }.get(stored.kind, "")
            stored.file_path = f"{_PATH_DIR[stored.kind]}/file_{len(self._by_path)}{suffix}"
            self._by_path[stored.file_path] = stored
        return stored.file_path
