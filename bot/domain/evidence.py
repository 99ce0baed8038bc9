"""One piece of evidence a member attaches to a report: a file, a photo, a link or a note."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any

from bot.domain import EvidenceKind
from bot.domain.errors import DomainError

MAX_TEXT_EVIDENCE = 3000
URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


@dataclass(frozen=True)
class EvidenceItem:
    """Kept in the FSM data between updates (as `to_data()`), then written as an Evidence row."""

    kind: EvidenceKind
    file_id: str | None = None
    file_unique_id: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None
    stored_path: str | None = None
    sha256: str | None = None
    url: str | None = None
    text: str | None = None

    def to_data(self) -> dict[str, Any]:
        """A JSON-able dict without the empty fields (FSM data is stored as JSON)."""
        data = {key: value for key, value in asdict(self).items() if value is not None}
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> EvidenceItem:
        # Unknown keys are ignored: a dialog saved by an older version still loads.
        known = {key: data[key] for key in EVIDENCE_FIELDS if key in data and key != "kind"}
        return cls(kind=EvidenceKind(data["kind"]), **known)

    @property
    def is_file(self) -> bool:
        return self.kind in (EvidenceKind.DOCUMENT, EvidenceKind.PHOTO)

    @property
    def proves(self) -> bool:
        return proves_work(self.kind)


def proves_work(kind: EvidenceKind) -> bool:
    """Files, photos and links can be checked by someone else; a note is only the member's word."""
    return kind is not EvidenceKind.TEXT


EVIDENCE_FIELDS = tuple(f.name for f in fields(EvidenceItem))


def evidence_from_text(text: str) -> list[EvidenceItem]:
    """Links become link evidence, one each; other text is kept as a note."""
    text = text.strip()
    if not text:
        raise DomainError("report.empty_evidence")
    # Trailing punctuation belongs to the sentence, not the link; strip it before dropping repeats.
    urls = dict.fromkeys(url.rstrip(".,;)") for url in URL_RE.findall(text))
    if urls:
        return [EvidenceItem(EvidenceKind.LINK, url=url) for url in urls]
    if len(text) > MAX_TEXT_EVIDENCE:
        raise DomainError("report.text_too_long", limit=MAX_TEXT_EVIDENCE, length=len(text))
    return [EvidenceItem(EvidenceKind.TEXT, text=text)]


def new_evidence(items: list[EvidenceItem], known_file_ids: set[str]) -> list[EvidenceItem]:
    """What a submission adds: files already attached to the report (same file_unique_id) are not new."""
    return [item for item in items if not item.file_unique_id or item.file_unique_id not in known_file_ids]
