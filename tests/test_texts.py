"""The Russian catalog keeps its glossary, reads right for any organization's name, and titles read well."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from bot.domain import OrgKind
from bot.parsing import parse_resolution
from bot.texts import titles
from bot.texts.i18n import Html, translator
from bot.texts.locales import en, ru
from bot.texts.titles import normalize_title, short_title

# The two real resolutions (the same files as /work/shared/resolutions, kept with the tests).
RESOLUTIONS = Path(__file__).parent / "fixtures" / "resolutions"

# Pattern — what the glossary at the top of ru.py says instead.
FORBIDDEN = {
    r"доказательств": "подтверждения",
    r"свидетельств": "подтверждения",
    r"прикреп": "приложить",
    r"\bтип\w*\b": "вид (организации)",
    r"категори": "вид (организации)",
    r"ячейк": "позиция",
    r"\bпар\w* «организация": "позиция",
    r"\bответ(ов|а|ы|или|ил|ила)?\b": "отчёт",
    r"поручени": "рекомендация",
    r"дедлайн": "срок",
    r"дайджест": "сводка",
    r"инвайт": "приглашение",
    r"ссылк\w*-приглашени": "приглашение",
    # The bot is no person, and an organization's name may be of any gender or number.
    r"\bпонял": "бот не человек",
    r"\bзаблокировал": "«бот заблокирован»",
    r"\bотчитал(ась|ся)\b": "«от организации нет отчёта»",
    r"\bдн\.": "форма .n() или подпись с двоеточием",
    r"\w+ — \{(n|count|orgs|messages|days|total|sent|recs)\}": "«Организаций: {orgs}» или .n()",
}


def texts(catalog: dict[str, str | tuple[str, ...]]) -> list[tuple[str, str]]:
    return [
        (key, part)
        for key, value in catalog.items()
        for part in (value if isinstance(value, tuple) else (value,))
    ]


def test_english_has_every_russian_key_and_the_plural_forms_of_its_language() -> None:
    assert sorted(set(ru.TEXTS) - set(en.TEXTS)) == []
    for key, value in ru.TEXTS.items():
        if isinstance(value, tuple):
            assert len(value) == 3, key
            assert isinstance(en.TEXTS[key], tuple) and len(en.TEXTS[key]) == 2, key
            assert all("{n}" in form for form in (*value, *en.TEXTS[key])), key


@pytest.mark.parametrize("pattern", FORBIDDEN)
def test_russian_catalog_keeps_to_the_glossary(pattern: str) -> None:
    found = [(key, text) for key, text in texts(ru.TEXTS) if re.search(pattern, text, re.IGNORECASE)]
    assert found == [], f"{pattern!r}: use {FORBIDDEN[pattern]}"


def test_every_glossary_term_is_in_the_docstring() -> None:
    docstring = ast.get_docstring(ast.parse(Path(ru.__file__).read_text(encoding="utf-8"))) or ""
    # An entry may go on over indented lines: read it as one line «term — meaning — forbidden».
    glossary = re.sub(r"\n {5,}", " ", docstring)
    for term in ("резолюция", "рекомендация", "позиция", "отчёт", "подтверждение", "вид", "приглашение"):
        assert re.search(rf"^\s+{term}\b.* — .* — ", glossary, re.MULTILINE), term


def test_templates_do_not_repeat_the_word_resolution_or_quote_the_title() -> None:
    # The title begins with «Резолюция» itself: «Резолюция «{title}»» would print it twice.
    doubled = [
        key
        for key, text in texts(ru.TEXTS) + texts(en.TEXTS)
        if re.search(r"(резолюци\w*|resolution)\s*(«|<\w>)*\{(title|resolution)\}", text, re.IGNORECASE)
        or re.search(r"«(<\w>)*\{(title|resolution)\}", text)
    ]
    assert doubled == []


@pytest.mark.parametrize(
    "org", ["Отдел образования", "Комитет по образованию", "МБУ ДО «ДДТ»", "Школы района"]
)
def test_reminders_read_right_whatever_the_organization_is_called(org: str) -> None:
    t = translator("ru")
    resolution = short_title("РЕЗОЛЮЦИЯ ФОРУМА", dt.date(2021, 8, 24))
    for key in ("remind.deadline", "remind.manual", "remind.nudge"):
        text = t(key, org=org, resolution=resolution, date="31.05.2027", days=3)
        assert f"От организации «{org}»" in text, key
        assert "📜 Резолюция форума от 24.08.2021\n" in text, key
    assert "Организация «" not in t("remind.sent", orgs=1, messages=2)


@pytest.mark.parametrize(
    ("key", "counts"),
    [
        (
            "remind.deadline_n",
            {
                1: "остался 1 день",
                3: "осталось 3 дня",
                5: "осталось 5 дней",
                11: "осталось 11 дней",
                21: "остался 21 день",
            },
        ),
        ("remind.nudge_n", {1: "уже 1 день", 4: "уже 4 дня", 12: "уже 12 дней", 22: "уже 22 дня"}),
        ("remind.confirm_n", {1: "у 1 организации", 2: "у 2 организаций", 21: "у 21 организации"}),
        (
            "remind.sent_n",
            {1: "получит 1 организация", 3: "получат 3 организации", 7: "получат 7 организаций"},
        ),
        (
            "status.history_earlier_n",
            {1: "1 более ранняя версия", 2: "2 более ранние версии", 5: "5 более ранних"},
        ),
    ],
)
def test_counted_texts_take_the_right_form(key: str, counts: dict[int, str]) -> None:
    t = translator("ru")
    params = {
        "resolution": "Резолюция форума",
        "org": "Отдел",
        "date": "31.05.2027",
        "title": "Т",
        "messages": 2,
    }
    for n, expected in counts.items():
        assert expected in t.n(key, n, **params)
    assert "1 day left" in translator("en").n("remind.deadline_n", 1, **params)


def test_every_kind_has_a_dative_label_for_the_addressee_line() -> None:
    t = translator("ru")
    assert [t.plain(f"kind_dative.{kind.value}") for kind in OrgKind] == [
        "департаменту",
        "муниципальным органам управления образованием",
        "региональному институту развития образования",
        "учреждениям дополнительного образования",
        "другим организациям",
    ]
    assert all(f"kind_dative.{kind.value}" in en.TEXTS for kind in OrgKind)


def test_the_bot_speaks_of_blocking_and_of_what_it_cannot_read_without_gender() -> None:
    t = translator("ru")
    assert t("delivery.reason_blocked") == "бот заблокирован или аккаунт недоступен"
    assert t("not_understood").startswith("Бот не может разобрать это сообщение")
    assert t("report.ask_evidence").startswith("Приложите подтверждения: документы, фото")


# --- titles ---

REAL_TITLES = {
    "smolensk-2018-forum.txt": (
        "Резолюция форума педагогических работников учреждений дополнительного образования детей "
        "«Региональная система дополнительного образования: технологии мобильности»",
        "Резолюция форума от 21.08.2018",
    ),
    "smolensk-2021-forum.md": (
        "Резолюция форума педагогических работников дополнительного образования детей "
        "«Доступное дополнительное образование: вызовы, достижения, ответственность»",
        "Резолюция форума от 24.08.2021",
    ),
}


@pytest.mark.parametrize("name", REAL_TITLES)
def test_real_resolutions_get_a_title_and_a_short_form_that_read_well(name: str) -> None:
    path = RESOLUTIONS / name
    parsed = parse_resolution(path.read_bytes(), path.name)
    full, short = REAL_TITLES[name]
    assert normalize_title(parsed.title) == full
    assert short_title(parsed.title, parsed.date) == short
    t = translator("ru")
    intro = t(
        "delivery.intro", resolution=t("delivery.resolution", title=normalize_title(parsed.title)), org="ДДТ"
    )
    assert intro.startswith(f"📜 {full}\n") and "РЕЗОЛЮЦИЯ" not in intro


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("РЕЗОЛЮЦИЯ", "Резолюция"),
        ("", "Резолюция"),
        ("Резолюция «РЕЗОЛЮЦИЯ ФОРУМА»", "Резолюция форума"),
        ("«Резолюция круглого стола»", "Резолюция круглого стола"),
        (
            "РЕЗОЛЮЦИЯ ФОРУМА РАБОТНИКОВ МБУ ДО «ЦЕНТР «ЮНОСТЬ»» СМОЛЕНСКОЙ ОБЛАСТИ",
            "Резолюция форума работников МБУ ДО «Центр „Юность“» Смоленской области",
        ),
        ("РЕЗОЛЮЦИЯ ГАУ ДПО СОИРО", "Резолюция ГАУ ДПО СОИРО"),
        ("РЕЗОЛЮЦИЯ III ФОРУМА IT-КУБОВ В Г. СМОЛЕНСКЕ", "Резолюция III форума IT-кубов в г. Смоленске"),
        (
            "РЕЗОЛЮЦИЯ СОВЕЩАНИЯ О РАЗВИТИИ ДО 2030 ГОДА В РОССИЙСКОЙ ФЕДЕРАЦИИ",
            "Резолюция совещания о развитии до 2030 года в Российской Федерации",
        ),
        (
            'резолюция конференции "Образование: "новые" горизонты"',
            "Резолюция конференции «Образование: „новые“ горизонты»",
        ),
        (
            "РЕЗОЛЮЦИЯ круглого стола «Профориентация в школе»",
            "Резолюция круглого стола «Профориентация в школе»",
        ),
        ("О развитии “сетевой” модели:", "Резолюция «О развитии „сетевой“ модели»"),
        ("Резолюция форума «Школа „Успех", "Резолюция форума «Школа „Успех“»"),
    ],
)
def test_titles_are_normalized_once_and_for_all(raw: str, expected: str) -> None:
    assert normalize_title(raw) == expected
    assert normalize_title(expected) == expected


@pytest.mark.parametrize(
    ("title", "adopted_on", "expected"),
    [
        ("РЕЗОЛЮЦИЯ ФОРУМА ПЕДАГОГОВ", dt.date(2021, 8, 26), "Резолюция форума от 26.08.2021"),
        (
            "Резолюция августовского совещания педагогов 2021 года",
            None,
            "Резолюция августовского совещания 2021 г.",
        ),
        ("Резолюция форума о развитии до 2030 года", None, "Резолюция форума"),
        ("Резолюция «О развитии сетевой модели»", dt.date(2024, 1, 9), "Резолюция от 09.01.2024"),
        (
            "Резолюция «О развитии сетевой модели дополнительного образования детей в сельских территориях»",
            None,
            "Резолюция «О развитии сетевой модели дополнительного образования…»",
        ),
        ("Резолюция", None, "Резолюция"),
    ],
)
def test_short_title_names_the_event_and_its_date(
    title: str, adopted_on: dt.date | None, expected: str
) -> None:
    assert short_title(title, adopted_on) == expected


def test_titles_module_is_pure() -> None:
    tree = ast.parse(Path(titles.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"__future__", "datetime", "itertools", "re"}


def test_a_normalized_title_is_escaped_like_any_user_value() -> None:
    title = normalize_title("РЕЗОЛЮЦИЯ ФОРУМА «<b>&»")
    assert translator("ru")("res.title", title=title) == "📜 <b>Резолюция форума «&lt;b&gt;&amp;»</b>"
    assert not isinstance(title, Html)


# Under delegated review a municipal authority's acceptance counts as «принято» too: only the notice to
# an organization about one decision (which names who decided) may say the department accepted.
DEPARTMENT_ONLY = (
    r"принят\w* департамент",
    r"департамент\w* принял",
    r"департамент\w* (его )?рассмотр",
    r"accepted by the department",
    r"department accepted",
    r"department has reviewed",
)


def test_acceptance_is_not_credited_to_the_department_alone() -> None:
    for catalog in (ru.TEXTS, en.TEXTS):
        wrong = [
            key
            for key, part in texts(catalog)
            if not key.startswith("review.notice.")
            and any(re.search(p, part, re.IGNORECASE) for p in DEPARTMENT_ONLY)
        ]
        assert wrong == []
