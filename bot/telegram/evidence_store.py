"""Evidence files kept on our own disk, content-addressed, so nothing depends on Telegram keeping them."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aiogram import Bot

# Bots may download at most 20 MB through getFile; larger files are refused before any request.
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    size: int


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    async def save_from_telegram(self, bot: Bot, file_id: str) -> StoredFile:
        self.root.mkdir(parents=True, exist_ok=True)
        # Download beside the store, then rename: a crash never leaves a half-written evidence file.
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            await bot.download(file_id, destination=tmp)
            digest, size = _hash(tmp)
            target = self.path_for(digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
        return StoredFile(target, digest, size)


def _hash(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
