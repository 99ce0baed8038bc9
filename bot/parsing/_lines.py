"""Turning raw lines into tokens: blank, plain text or a list item, with markup stripped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class SourceLine:
    """One line as a reader delivers it, with what the format says about it beyond the text."""

    text: str
    # DOCX lists keep their bullets and numbers in the numbering definitions, not in the text.
    is_list_item: bool = False
    # Bold or a heading style: visual weight that marks a heading.
    is_emphasized: bool = False
    # Table text is never part of the title.
    in_table: bool = False
    # The first column of a multi-column table row names whom the rest of the row addresses,
    # so it counts as a heading that ends with a colon.
    is_row_label: bool = False


class Kind(Enum):
    BLANK = "blank"
    PLAIN = "plain"
    BULLET = "bullet"
    NUMBERED = "numbered"
    LIST = "list"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    strong: bool = False
    in_table: bool = False
    is_row_label: bool = False
    # How the item was marked («bullet», «number.1», «number)1», «letter», «roman», «list»):
    # a change of marker after an item ending in a colon means sub-points of that item.
    marker: str = ""

    @property
    def is_item(self) -> bool:
        # Numbered and DOCX-list lines are items unless they turn out to be section headings.
        return self.kind in (Kind.BULLET, Kind.NUMBERED, Kind.LIST)

    @property
    def is_blank(self) -> bool:
        return self.kind is Kind.BLANK


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_QUOTE = re.compile(r"^(?:>\s*)+")
_HORIZONTAL_RULE = re.compile(r"^(?:([-*_=])\s*){3,}$")
# Dashes may stick to the word in sloppy typing; «*» and «+» must not, or «**bold**» becomes a bullet.
_BULLET = re.compile(r"^(?:[-–—•·▪●◦‣⁃■□➢➤✓√]\s*|[*+]\s+)")
_ROMAN = re.compile(r"^[IVXLC]{1,7}[.)]\s+")
# «1.», «1)», «1.2.», «1.2», «а)»; a bare «24 августа» must stay text, hence the required mark.
_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|\d{1,2}(?:\.\d{1,2})+|[а-яёa-z]\))\s+")


def tokenize(line: SourceLine) -> Token:
    text = _MD_ESCAPE.sub(r"\1", _INVISIBLE.sub("", line.text)).replace("\t", " ").strip()
    if not text or _HORIZONTAL_RULE.match(text):
        return Token(Kind.BLANK, "")
    strong = line.is_emphasized
    if heading := _MD_HEADING.match(text):
        text, strong = text[heading.end() :], True
    text = _MD_QUOTE.sub("", text)
    kind, marker, text = _split_marker(text, line.is_list_item)
    text, emphasized = strip_markup(text)
    if not text:
        return Token(Kind.BLANK, "")
    # Roman numerals number sections, so they weigh like a heading.
    strong = strong or emphasized or marker == "roman"
    return Token(kind, text, strong, line.in_table, line.is_row_label, marker)


def _split_marker(text: str, is_list_item: bool) -> tuple[Kind, str, str]:
    if bullet := _BULLET.match(text):
        return Kind.BULLET, "bullet", text[bullet.end() :]
    if roman := _ROMAN.match(text):
        return Kind.NUMBERED, "roman", text[roman.end() :]
    if number := _NUMBER.match(text):
        return Kind.NUMBERED, _number_style(number[0].strip()), text[number.end() :]
    if is_list_item:
        return Kind.LIST, "list", text
    return Kind.PLAIN, "", text


def _number_style(mark: str) -> str:
    if mark[0].isalpha():
        return "letter"
    depth = len([part for part in mark.rstrip(".)").split(".") if part])
    return f"number{mark[-1] if mark[-1] in '.)' else '.'}{depth}"


def strip_markup(text: str) -> tuple[str, bool]:
    """Drop Markdown emphasis and trailing hard breaks; report whether the line opened in bold."""
    text = text.strip().removesuffix("\\").rstrip()
    emphasized = text.startswith(("**", "__"))
    text = text.replace("**", "")
    if text.startswith("__") and text.rstrip(":").endswith("__"):
        text = text.replace("__", "")
    if len(text) > 2 and text[0] == text[-1] and text[0] in "*_":
        text = text[1:-1]
    return " ".join(text.split()), emphasized
