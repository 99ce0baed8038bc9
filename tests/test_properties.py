"""Property-based tests of the boundary functions: whatever comes in, the result is an answer or the
domain's own refusal, never another exception."""

from __future__ import annotations

import csv
import io
import os

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.domain.errors import DomainError
from bot.domain.text import MAX_FILE_NAME, normalize_file_name, normalize_text
from bot.parsing import ResolutionParseError, parse_resolution, parse_resolution_text
from bot.services.org_import import read_rows
from bot.services.org_table import DELIMITERS

ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300)
# HYPOTHESIS_EXAMPLES=5000 for a longer hunt than the suite's.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def is_control(char: str) -> bool:
    return char not in "\n\t" and (char < " " or "\x7f" <= char <= "\x9f")


@SETTINGS
@given(ANY_TEXT, st.integers(min_value=0, max_value=500))
@example("a\x00b\ud800\r\nc", 10)
def test_normalized_text_is_printable_valid_and_bounded(value: str, limit: int) -> None:
    clean = normalize_text(value, limit)
    assert len(clean) <= limit
    clean.encode("utf-8")  # no lone surrogate survives
    assert not any(is_control(c) for c in clean)
    assert normalize_text(clean, limit) == clean  # applying it twice changes nothing
    # Nothing the person wrote is lost but what had to go, and in the same order.
    expected = [c for c in value.replace("\r\n", "\n").replace("\r", "\n") if not is_control(c)]
    kept = [c for c in clean if c != "\ufffd"]
    assert kept == [c for c in expected if c != "\ufffd" and not "\ud800" <= c <= "\udfff"][: len(kept)]


@SETTINGS
@given(ANY_TEXT)
def test_a_file_name_is_one_safe_line(value: str) -> None:
    name = normalize_file_name(value)
    assert len(name) <= MAX_FILE_NAME and "\n" not in name and "/" not in name and "\\" not in name
    name.encode("utf-8")


@SETTINGS
@given(st.binary(max_size=2000))
@example(b"\xff\xfe\x00")
@example(b"\xfe\xff\xd8\x00")
@example(b"PK\x03\x04")
@example(b'"unterminated\n')
def test_any_bytes_read_as_a_table_or_refused(data: bytes) -> None:
    try:
        rows = read_rows(data)
    except DomainError:
        return
    assert all(isinstance(n, int) and isinstance(r, dict) for n, r in rows)


CSVISH = st.lists(
    st.sampled_from(
        ["название", "тип", "муниципалитет", "ДДТ", "учреждение", "12", *';,|\t"\n\r \x00\ufeff']
    ),
    max_size=60,
).map("".join)


@SETTINGS
@given(CSVISH, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1251"]))
def test_table_like_text_read_or_refused(text: str, encoding: str) -> None:
    try:
        rows = read_rows(text.encode(encoding, errors="replace"))
    except DomainError:
        return
    assert all(set(r) >= {"name", "kind"} for _, r in rows)


CELL = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs"), exclude_characters="\ufeff"),
    max_size=40,
).map(str.strip)


@SETTINGS
@given(
    rows=st.lists(st.tuples(CELL, CELL, CELL), max_size=20),
    delimiter=st.sampled_from(DELIMITERS),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251"]),
    title=st.booleans(),
)
def test_generated_tables_round_trip(
    rows: list[tuple[str, str, str]], delimiter: str, encoding: str, title: bool
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    if title:
        writer.writerow(["Список организаций"])
    writer.writerow(["название", "тип", "муниципалитет"])
    writer.writerows(rows)
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        assume(False)  # a character cp1251 has no byte for: not a file anyone could save
    got = [(r["name"], r["kind"], r["municipality"]) for _, r in read_rows(data)]
    assert got == [row for row in rows if any(row)]


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from(["r.txt", "r.md", "r.docx", "r", "r.pdf", "r.bin"]))
@example(b"PK\x03\x04garbage", "r.docx")
@example(b"\xff\xfe" + "1. Департаменту:\n- сделать".encode("utf-16-le"), "r.txt")
def test_the_parser_answers_or_refuses_any_bytes(data: bytes, name: str) -> None:
    try:
        parsed = parse_resolution(data, name)
    except ResolutionParseError:
        return
    assert parsed.recommendation_count > 0


RESOLUTIONISH = st.lists(
    st.sampled_from(
        [
            "Департаменту:",
            "1. Органам управления:",
            "Рекомендовать:",
            "- сделать",
            "• план;",
            "а) отчёт.",
            "1) пункт",
            "2.",
            "",
            "  ",
            "РЕЗОЛЮЦИЯ",
            "24 августа 2021 г.",
            "г. Смоленск",
            "т.д.",
            "—",
            "*",
        ]
    ),
    max_size=30,
).map("\n".join)


@SETTINGS
@given(st.one_of(ANY_TEXT, RESOLUTIONISH))
@example("Департаменту:\n- \x00\n- ;\n")
@example("Рекомендовать:\n1)\n2) .")
def test_the_parser_answers_or_refuses_any_text(text: str) -> None:
    try:
        parsed = parse_resolution_text(text)
    except ResolutionParseError:
        return
    assert parsed.recommendation_count > 0
