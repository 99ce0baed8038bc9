"""Files the CLI reads and folders it writes, with refusals in the catalog's words, not strerror's."""

from __future__ import annotations

import errno
from pathlib import Path

from bot.domain.errors import DomainError
from bot.texts.i18n import Translator


def read_input(path: Path) -> bytes:
    """The file's bytes, or DomainError naming the problem (render with Translator.plain)."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise DomainError("cli.file_missing", path=path) from exc
    except IsADirectoryError as exc:
        raise DomainError("cli.file_is_folder", path=path) from exc
    except PermissionError as exc:
        raise DomainError("cli.file_denied", path=path) from exc
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise DomainError("cli.file_is_folder", path=path) from exc
        raise DomainError("cli.file_unreadable", path=path, code=exc.errno or "?") from exc


def prepare_output(folder: Path, t: Translator) -> None:
    """Creates `folder` and proves it takes a file, before any work that would end up there."""
    # Only `demo` writes folders: `parse` must not load the settings machinery through this module.
    from bot.runtime.checks import folder_problem

    probe = folder / ".write-check"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise DomainError("cli.folder_unusable", path=folder, reason=folder_problem(exc, t)) from exc
