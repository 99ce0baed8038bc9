"""Tests for the resolution parser: the two real Smolensk resolutions, other layouts, DOCX, bad input."""

from __future__ import annotations

import datetime
import io
import json
import random
import zipfile
from pathlib import Path

import docx
import pytest
from docx.text.paragraph import Paragraph

from bot.cli.parse import render_preview
from bot.domain import OrgKind
from bot.parsing import (
    MAX_INPUT_BYTES,
    ParsedGroup,
    ParsedResolution,
    ResolutionParseError,
    parse_resolution,
    parse_resolution_text,
    suggest_category,
)
from bot.texts.i18n import translator

FIXTURES = Path(__file__).parent / "fixtures" / "resolutions"
SHARED = Path("/work/shared/resolutions")
NO_RECOMMENDATIONS = "Не удалось разобрать резолюцию: в документе не найдено ни одной рекомендации."
CATEGORIES_IN_ORDER = [OrgKind.DEPARTMENT, OrgKind.MUNICIPAL, OrgKind.INSTITUTE, OrgKind.INSTITUTION]


def parse_fixture(name: str) -> ParsedResolution:
    return parse_resolution((FIXTURES / name).read_bytes(), name)


def recommendations(parsed: ParsedResolution) -> list[tuple[str, ...]]:
    return [group.recommendations for group in parsed.groups]


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def bold_paragraph(document: docx.document.Document, text: str) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.add_run(text).bold = True
    return paragraph


def number_paragraph(paragraph: Paragraph, num_id: int) -> None:
    """Number a «Normal» paragraph the way Word does: numPr in the paragraph, no list style."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


# --- the two real resolutions ----------------------------------------------------------------


@pytest.fixture(scope="module")
def smolensk_2018() -> ParsedResolution:
    return parse_fixture("smolensk-2018-forum.txt")


@pytest.fixture(scope="module")
def smolensk_2021() -> ParsedResolution:
    return parse_fixture("smolensk-2021-forum.md")


@pytest.mark.parametrize("name", ["smolensk-2018-forum.txt", "smolensk-2021-forum.md"])
def test_fixture_copies_match_the_shared_originals(name: str) -> None:
    if not (SHARED / name).exists():
        pytest.skip("the shared resolutions are not mounted here")
    assert (FIXTURES / name).read_bytes() == (SHARED / name).read_bytes()


def test_2018_header(smolensk_2018: ParsedResolution) -> None:
    assert smolensk_2018.title == (
        "РЕЗОЛЮЦИЯ ФОРУМА ПЕДАГОГИЧЕСКИХ РАБОТНИКОВ УЧРЕЖДЕНИЙ ДОПОЛНИТЕЛЬНОГО ОБРАЗОВАНИЯ ДЕТЕЙ "
        "«Региональная система дополнительного образования: технологии мобильности»"
    )
    assert smolensk_2018.date == datetime.date(2018, 8, 21)
    assert smolensk_2018.place is None


def test_2018_groups(smolensk_2018: ParsedResolution) -> None:
    assert [group.heading for group in smolensk_2018.groups] == [
        "Департаменту Смоленской области по образованию и науке",
        "Органам местного самоуправления, осуществляющим управление в сфере образования, "
        "муниципальным методическим службам",
        "ГАУ ДПО СОИРО",
        "Учреждениям дополнительного образования детей Смоленской области",
    ]
    assert [group.category for group in smolensk_2018.groups] == CATEGORIES_IN_ORDER
    assert [len(items) for items in recommendations(smolensk_2018)] == [3, 3, 4, 5]
    assert smolensk_2018.recommendation_count == 15


def test_2018_texts_are_whole(smolensk_2018: ParsedResolution) -> None:
    department, municipal, institute, institutions = recommendations(smolensk_2018)
    assert department[0] == (
        "создать условия для внедрения моделей и механизмов сетевого взаимодействия и межведомственного "
        "сотрудничества между образовательными организациями, учреждениями науки, культуры, спорта, "
        "институтами гражданского общества, представителями производства и бизнеса в развитии региональной "
        "системы дополнительного образования детей"
    )
    assert department[-1] == (
        "содействовать трансляции инновационного опыта учреждений дополнительного образования детей "
        "и педагогических работников"
    )
    assert municipal[0] == (
        "создать условия для эффективной методической поддержки педагогических работников, реализующих "
        "инновационные программы и проекты, обеспечивающие качество дополнительного образования детей"
    )
    assert municipal[-1] == (
        "создать условия для улучшения материально-технической базы учреждений дополнительного образования "
        "детей в соответствии с требованиями инновационной экономики в условиях цифровизации образования"
    )
    assert institute[0] == (
        "обеспечить расширение спектра образовательных услуг по повышению квалификации руководящих "
        "и педагогических работников системы дополнительного образования детей"
    )
    assert institute[-1] == (
        "продолжить формирование регионального банка инновационных практик в системе дополнительного "
        "образования детей"
    )
    assert institutions[0] == (
        "обеспечить качественное обновление содержания и расширение спектра дополнительных образовательных "
        "программ в соответствии с социальными запросами, тенденциями развития профессий, рынка труда, "
        "современных технологий"
    )
    assert institutions[-1] == (
        "развивать социальное партнерство, сетевое и межведомственное взаимодействие в рамках реализации "
        "актуальных проектов и дополнительных образовательных программ"
    )


def test_2021_header(smolensk_2021: ParsedResolution) -> None:
    # The colon inside the motto belongs to the title, and the Markdown bold is gone.
    assert smolensk_2021.title == (
        "РЕЗОЛЮЦИЯ форума педагогических работников дополнительного образования детей "
        "«Доступное дополнительное образование: вызовы, достижения, ответственность»"
    )
    assert smolensk_2021.date == datetime.date(2021, 8, 24)
    assert smolensk_2021.place == "г. Смоленск"


def test_2021_groups(smolensk_2021: ParsedResolution) -> None:
    assert [group.heading for group in smolensk_2021.groups] == [
        "Департаменту Смоленской области по образованию и науке",
        "Муниципальным органам, осуществляющим управление в сфере образования, методическим службам",
        "ГАУ ДПО СОПРО",
        "Учреждениям дополнительного образования детей Смоленской области",
    ]
    assert [group.category for group in smolensk_2021.groups] == CATEGORIES_IN_ORDER
    assert [len(items) for items in recommendations(smolensk_2021)] == [3, 4, 4, 4]


def test_2021_item_split_over_two_paragraphs_is_rejoined(smolensk_2021: ParsedResolution) -> None:
    institute = smolensk_2021.groups[2].recommendations
    assert institute[0] == (
        "обеспечить расширение спектра дополнительных профессиональных программ для руководящих "
        "и педагогических работников системы дополнительного образования детей в целях реализации "
        "приоритетных задач регионального проекта «Успех каждого ребенка»"
    )
    assert institute[1].startswith("обеспечить научно-методическое сопровождение проектирования")


def test_2021_texts_are_whole(smolensk_2021: ParsedResolution) -> None:
    department, municipal, institute, institutions = recommendations(smolensk_2021)
    assert department[0] == (
        "обеспечить внедрение и поддержку эффективных механизмов выравнивания доступности дополнительного "
        "образования для детей с различными образовательными потребностями и возможностями"
    )
    assert department[-1] == (
        "создавать условия для распространения региональных и муниципальных моделей, проектов и программ, "
        "направленных на увеличение охвата детей услугами дополнительного образования, реализацию "
        "приоритетных задач воспитания в сфере дополнительного образования детей"
    )
    assert municipal[0] == (
        "создать условия для внедрения моделей выравнивания доступности дополнительного образования "
        "для детей с различными образовательными потребностями и возможностями"
    )
    assert municipal[-1] == (
        "инициировать открытие стажерских площадок на базе учреждений дополнительного образования детей "
        "с целью трансляции передового педагогического опыта"
    )
    assert institute[-1] == (
        "продолжить формирование регионального банка лучших практик и наставничества в системе "
        "дополнительного образования детей"
    )
    assert institutions[0] == (
        "совершенствовать комплекс мер по повышению доступности услуг дополнительного образования для детей "
        "с различными образовательными потребностями и возможностями"
    )
    assert institutions[-1] == (
        "создать условия по обновлению и сохранению кадрового состава, повышению уровня квалификации "
        "педагогических работников с учетом требований профессионального стандарта педагога "
        "дополнительного образования детей и взрослых"
    )


def test_json_dict_of_2021(smolensk_2021: ParsedResolution) -> None:
    data = smolensk_2021.to_json_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["date"] == "2021-08-24"
    assert data["place"] == "г. Смоленск"
    assert data["title"] == smolensk_2021.title
    assert [entry["category"] for entry in data["addressees"]] == [
        "department",
        "municipal",
        "institute",
        "institution",
    ]
    assert data["addressees"][2]["heading"] == "ГАУ ДПО СОПРО"
    assert data["addressees"][2]["recommendations"] == list(smolensk_2021.groups[2].recommendations)


def test_json_dict_without_date_and_place(smolensk_2018: ParsedResolution) -> None:
    data = smolensk_2018.to_json_dict()
    assert data["date"] == "2018-08-21"
    assert data["place"] is None
    assert set(data) == {"title", "date", "place", "addressees"}
    assert set(data["addressees"][0]) == {"heading", "category", "recommendations"}


def test_parsing_is_the_same_from_text_and_bytes(smolensk_2021: ParsedResolution) -> None:
    text = (FIXTURES / "smolensk-2021-forum.md").read_text(encoding="utf-8")
    assert parse_resolution_text(text) == smolensk_2021


# --- other layouts ----------------------------------------------------------------------------


def test_roman_sections_and_numbered_items() -> None:
    parsed = parse_fixture("numbered-sections.txt")
    assert parsed.title == "РЕЗОЛЮЦИЯ регионального августовского совещания работников образования"
    assert parsed.date == datetime.date(2022, 8, 26)
    assert parsed.place == "г. Смоленск"
    assert [group.heading for group in parsed.groups] == [
        "Министерству образования и науки Смоленской области",
        "Органам местного самоуправления муниципальных округов",
        "Смоленскому областному институту развития образования",
        "Образовательным организациям",
    ]
    assert [group.category for group in parsed.groups] == CATEGORIES_IN_ORDER
    assert recommendations(parsed) == [
        (
            "утвердить региональный план мероприятий по развитию наставничества",
            # Broken over three lines in the source.
            "обеспечить финансирование программ летнего отдыха детей в сельских территориях",
            "провести мониторинг кадрового обеспечения школ",
        ),
        (
            "актуализировать муниципальные программы развития образования",
            "организовать подвоз обучающихся к местам проведения занятий",
        ),
        (
            "разработать программы повышения квалификации для молодых педагогов",
            "обобщить опыт работы стажерских площадок",
        ),
        (
            "обновить программы воспитания",
            "обеспечить участие педагогов в конкурсах профессионального мастерства",
        ),
    ]


def test_recommend_headings_title_with_colon_and_generic_preamble() -> None:
    parsed = parse_fixture("recommend-headings.txt")
    assert parsed.title == "РЕЗОЛЮЦИЯ ПЕДАГОГИЧЕСКОГО ФОРУМА НА ТЕМУ: «Наставничество: от идеи к практике»"
    assert parsed.date == datetime.date(2023, 8, 24)
    # «в г. Смоленске» in the running text.
    assert parsed.place == "г. Смоленск"
    assert [(group.heading, group.category) for group in parsed.groups] == [
        ("Рекомендовать Департаменту Смоленской области по образованию и науке", OrgKind.DEPARTMENT),
        ("Рекомендовать муниципальным методическим службам", OrgKind.MUNICIPAL),
        (
            "Рекомендовать ГАУ ДПО «Смоленский областной институт развития образования»",
            OrgKind.INSTITUTE,
        ),
        ("Рекомендовать общеобразовательным школам", OrgKind.INSTITUTION),
        ("Рекомендовать родительской общественности", OrgKind.OTHER),
    ]
    assert recommendations(parsed)[0] == (
        "поддержать создание региональной сети наставников",
        "учредить региональную премию «Наставник года»",
    )
    assert recommendations(parsed)[1][0] == "вести реестр пар «наставник — молодой специалист»"
    assert [len(items) for items in recommendations(parsed)] == [2, 2, 1, 2, 1]


def test_markdown_headings_star_bullets_and_paragraph_group() -> None:
    parsed = parse_fixture("markdown-headings.md")
    assert parsed.title == "Резолюция III регионального форума «Цифровая школа»"
    assert parsed.date == datetime.date(2024, 3, 15)
    assert parsed.place == "г. Смоленск"
    assert [(group.heading, group.category) for group in parsed.groups] == [
        ("Департаменту Смоленской области по образованию и науке", OrgKind.DEPARTMENT),
        ("Муниципальным органам управления образованием", OrgKind.MUNICIPAL),
        ("ГАУ ДПО СОПРО", OrgKind.INSTITUTE),
        ("Школам", OrgKind.INSTITUTION),
        ("Родителям", OrgKind.OTHER),
    ]
    assert recommendations(parsed) == [
        (
            "обеспечить школы высокоскоростным интернетом",
            "запустить региональную платформу цифровых образовательных ресурсов",
        ),
        (
            "назначить ответственных за цифровую трансформацию в каждом округе",
            "организовать обучение школьных администраторов",
        ),
        (
            "разработать курсы по цифровой дидактике",
            "сопровождать сетевое сообщество «Цифровой учитель»",
        ),
        (
            "Провести аудит цифровой инфраструктуры",
            "Обновить локальные акты о работе с персональными данными",
        ),
        (
            "Поддерживать цифровую грамотность детей дома",
            "Участвовать в родительских собраниях в онлайн-формате",
        ),
    ]


def test_windows_line_endings_and_cp1251() -> None:
    raw = (FIXTURES / "windows-cp1251.txt").read_bytes()
    assert b"\r\n" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    parsed = parse_resolution(raw, "windows-cp1251.txt")
    assert parsed.title == (
        "РЕЗОЛЮЦИЯ областного семинара руководителей учреждений дополнительного образования"
    )
    # Date and place stand at the very end of this one.
    assert parsed.date == datetime.date(2019, 8, 23)
    assert parsed.place == "г. Смоленск"
    assert [group.category for group in parsed.groups] == CATEGORIES_IN_ORDER
    assert recommendations(parsed) == [
        (
            "рассмотреть возможность увеличения финансирования программ технической направленности "
            "в сельских районах Смоленской области",
            "поддержать проведение областных конкурсов",
        ),
        (
            "обеспечить участие учреждений в областных конкурсах",
            "организовать курсы для педагогов-совместителей",
        ),
        ("включить в план курсы по программированию для педагогов",),
        (
            "обновить содержание программ",
            "обеспечить информирование родителей о программах через навигатор",
        ),
    ]


def test_plain_paragraph_recommendations() -> None:
    parsed = parse_fixture("plain-paragraphs.txt")
    assert parsed.title == "РЕЗОЛЮЦИЯ круглого стола «Школа и семья: диалог поколений»"
    assert parsed.date == datetime.date(2022, 11, 21)
    assert parsed.place == "г. Десногорск"
    assert [(group.heading, group.category) for group in parsed.groups] == [
        ("Департаменту Смоленской области по образованию и науке", OrgKind.DEPARTMENT),
        ("Образовательным организациям", OrgKind.INSTITUTION),
    ]
    assert recommendations(parsed) == [
        (
            "Включить вопросы семейного воспитания в региональную программу воспитания",
            "Предусмотреть гранты для школ, реализующих проекты совместно с родительскими сообществами",
        ),
        (
            "Проводить дни открытых дверей не реже двух раз в год",
            "Создать в каждой школе родительский клуб, работающий в очном и дистанционном форматах",
        ),
    ]


def test_arabic_numbered_sections_with_bom_and_em_dashes() -> None:
    raw = (FIXTURES / "arabic-sections-bom.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    parsed = parse_resolution(raw, "arabic-sections-bom.txt")
    assert parsed.title == "РЕЗОЛЮЦИЯ V Смоленского педагогического форума «Учитель будущего»"
    assert parsed.date == datetime.date(2020, 8, 24)
    assert parsed.place is None
    assert [(group.heading, group.category) for group in parsed.groups] == [
        ("Департаменту Смоленской области по образованию и науке", OrgKind.DEPARTMENT),
        ("Муниципальным образованиям Смоленской области", OrgKind.MUNICIPAL),
        ("СОИРО", OrgKind.INSTITUTE),
        ("Средствам массовой информации", OrgKind.OTHER),
    ]
    # The abbreviation keeps its dot when the closing «;» goes.
    assert recommendations(parsed)[1] == (
        "предусмотреть выплаты молодым педагогам, компенсацию найма жилья и т.д.",
        "закрепить наставников за молодыми педагогами",
    )


def test_preamble_sentence_with_colon_is_not_an_addressee() -> None:
    parsed = parse_resolution_text(
        "РЕЗОЛЮЦИЯ\n\n"
        "В ходе форума обсуждены вопросы воспитания. Участники Форума рекомендуют:\n\n"
        "Школам:\n- провести классные часы.\n"
    )
    assert [group.heading for group in parsed.groups] == ["Школам"]
    assert parsed.groups[0].recommendations == ("провести классные часы",)


def test_recommend_verb_followed_by_a_body_is_an_addressee() -> None:
    parsed = parse_resolution_text(
        "РЕЗОЛЮЦИЯ\n\nФорум рекомендует органам местного самоуправления:\n- a;\n- b.\n"
    )
    assert [(group.heading, group.category) for group in parsed.groups] == [
        ("Форум рекомендует органам местного самоуправления", OrgKind.MUNICIPAL),
    ]
    assert parsed.groups[0].recommendations == ("a", "b")


def test_inner_russian_quotes_do_not_hide_a_heading() -> None:
    parsed = parse_resolution_text(
        "РЕЗОЛЮЦИЯ\nфорума «Школа „Успех“»\nг. Смоленск\n\nРекомендовать АНО „Центр развития“:\n- a.\n"
    )
    assert parsed.title == "РЕЗОЛЮЦИЯ форума «Школа „Успех“»"
    assert [group.heading for group in parsed.groups] == ["Рекомендовать АНО „Центр развития“"]


def test_items_before_any_addressee_get_a_general_group() -> None:
    parsed = parse_resolution_text("РЕЗОЛЮЦИЯ\n\nФорум рекомендует:\n- создать совет;\n- провести конкурс.\n")
    assert parsed.groups == (
        ParsedGroup("Общие рекомендации", OrgKind.OTHER, ("создать совет", "провести конкурс")),
    )


def test_sub_points_stay_inside_their_recommendation() -> None:
    parsed = parse_resolution_text(
        "РЕЗОЛЮЦИЯ\nШколам:\n1. обеспечить следующее:\nа) одно;\nб) другое;\n2. создать условия.\n"
    )
    assert parsed.groups[0].recommendations == ("обеспечить следующее: одно; другое", "создать условия")


def test_line_wrapped_inside_a_hyphenated_word() -> None:
    parsed = parse_resolution_text("Школам:\n- разработать финансово-\nэкономические механизмы;\n")
    assert parsed.groups[0].recommendations == ("разработать финансово-экономические механизмы",)
    assert parsed.title == "Резолюция"


def test_plain_line_after_the_last_item_is_not_a_recommendation() -> None:
    parsed = parse_resolution_text(
        "РЕЗОЛЮЦИЯ\nШколам:\n- провести конкурс;\n- создать совет.\n\nПринято единогласно.\n"
    )
    assert parsed.groups[0].recommendations == ("провести конкурс", "создать совет")


def test_plain_line_between_items_is_a_recommendation() -> None:
    parsed = parse_resolution_text("РЕЗОЛЮЦИЯ\nШколам:\n- a;\nОсобое внимание уделить b.\n- c.\n")
    assert parsed.groups[0].recommendations == ("a", "Особое внимание уделить b", "c")


def test_whitespace_is_normalised_and_markup_stripped() -> None:
    parsed = parse_resolution_text(
        "**РЕЗОЛЮЦИЯ**\n\n## **Департаменту   образования:**\n\n"
        "*   обеспечить\u00a0**доступность**\tуслуг ;\n"
    )
    assert parsed.title == "РЕЗОЛЮЦИЯ"
    assert parsed.groups == (
        ParsedGroup("Департаменту образования", OrgKind.DEPARTMENT, ("обеспечить доступность услуг",)),
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("«21» августа 2018 г.", datetime.date(2018, 8, 21)),
        ("24 августа 2021 г.", datetime.date(2021, 8, 24)),
        ("24.08.2021", datetime.date(2021, 8, 24)),
        ("24.08.21", datetime.date(2021, 8, 24)),
        ("1 Сентября 2020 года", datetime.date(2020, 9, 1)),
        ("31.02.2021", None),
    ],
)
def test_dates(line: str, expected: datetime.date | None) -> None:
    parsed = parse_resolution_text(f"РЕЗОЛЮЦИЯ\n{line}\nШколам:\n- a.\n")
    assert parsed.date == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("г. Смоленск", "г. Смоленск"),
        ("г.Вязьма, 24.08.2021", "г. Вязьма"),
        ("Место проведения: г. Смоленск", "г. Смоленск"),
        ("Форум прошёл в г. Калининграде.", "г. Калининград"),
        # The nominative of «Москве» cannot be told from the ending alone: better none than wrong.
        ("Форум прошёл в г. Москве.", None),
        ("Форум прошёл онлайн.", None),
    ],
)
def test_places(line: str, expected: str | None) -> None:
    parsed = parse_resolution_text(f"РЕЗОЛЮЦИЯ\n\n{line}\n\nШколам:\n- a.\n")
    assert parsed.place == expected


# --- categories -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Департаменту Смоленской области по образованию и науке", OrgKind.DEPARTMENT),
        ("Министерству просвещения", OrgKind.DEPARTMENT),
        ("Комитету по образованию", OrgKind.DEPARTMENT),
        ("**Муниципальным органам, осуществляющим управление в сфере образования:**", OrgKind.MUNICIPAL),
        ("органам местного самоуправления", OrgKind.MUNICIPAL),
        ("Методическим службам", OrgKind.MUNICIPAL),
        ("ГАУ ДПО СОИРО", OrgKind.INSTITUTE),
        ("ГАУ ДПО СОПРО", OrgKind.INSTITUTE),
        ("Смоленскому областному институту развития образования", OrgKind.INSTITUTE),
        ("ИРО", OrgKind.INSTITUTE),
        ("Центру повышения квалификации", OrgKind.INSTITUTE),
        (
            "Государственному автономному учреждению дополнительного профессионального образования "
            "«Смоленский областной институт развития образования»",
            OrgKind.INSTITUTE,
        ),
        ("Учреждениям дополнительного образования детей", OrgKind.INSTITUTION),
        ("УЧРЕЖДЕНИЯМ ДОПОЛНИТЕЛЬНОГО ОБРАЗОВАНИЯ", OrgKind.INSTITUTION),
        ("Организациям дополнительного образования", OrgKind.INSTITUTION),
        ("Муниципальным образовательным организациям", OrgKind.INSTITUTION),
        ("Учреждениям, подведомственным Департаменту", OrgKind.INSTITUTION),
        ("Школам", OrgKind.INSTITUTION),
        ("Родительской общественности", OrgKind.OTHER),
        ("Средствам массовой информации", OrgKind.OTHER),
    ],
)
def test_suggest_category(heading: str, expected: OrgKind) -> None:
    assert suggest_category(heading) is expected


# --- DOCX ---------------------------------------------------------------------------------------


def build_list_styles_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("РЕЗОЛЮЦИЯ", style="Title")
    bold_paragraph(document, "форума «Инженерные классы: опыт и перспективы»")
    document.add_paragraph("г. Смоленск")
    document.add_paragraph("20 сентября 2024 г.")
    document.add_paragraph("Участники форума рекомендуют:")
    document.add_heading("Департаменту Смоленской области по образованию и науке:", level=2)
    document.add_paragraph("расширить сеть инженерных классов;", style="List Bullet")
    document.add_paragraph("обеспечить классы современным оборудованием.", style="List Bullet")
    # Bold and without a colon, followed by a list: still a heading.
    bold_paragraph(document, "ГАУ ДПО СОПРО")
    document.add_paragraph("разработать программу стажировок для учителей физики;", style="List Number")
    broken = document.add_paragraph(style="List Number")
    broken.add_run("организовать методическое сопровождение").add_break()
    broken.add_run("инженерных классов;")
    document.add_paragraph("провести итоговую конференцию.", style="List Number")
    document.add_paragraph("Образовательным организациям:")
    num_id = document.styles["List Number"].element.pPr.numPr.numId.val
    for text in ("заключить договоры с вузами и предприятиями;", "организовать профессиональные пробы."):
        number_paragraph(document.add_paragraph(text), num_id)
    document.add_paragraph("Принято единогласно.")
    return docx_bytes(document)


def test_docx_with_list_styles_and_numbering() -> None:
    parsed = parse_resolution(build_list_styles_docx(), "Резолюция.docx")
    assert parsed.title == "РЕЗОЛЮЦИЯ форума «Инженерные классы: опыт и перспективы»"
    assert parsed.date == datetime.date(2024, 9, 20)
    assert parsed.place == "г. Смоленск"
    assert [(group.heading, group.category) for group in parsed.groups] == [
        ("Департаменту Смоленской области по образованию и науке", OrgKind.DEPARTMENT),
        ("ГАУ ДПО СОПРО", OrgKind.INSTITUTE),
        ("Образовательным организациям", OrgKind.INSTITUTION),
    ]
    assert recommendations(parsed) == [
        ("расширить сеть инженерных классов", "обеспечить классы современным оборудованием"),
        (
            "разработать программу стажировок для учителей физики",
            "организовать методическое сопровождение инженерных классов",
            "провести итоговую конференцию",
        ),
        ("заключить договоры с вузами и предприятиями", "организовать профессиональные пробы"),
    ]


def build_table_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("РЕЗОЛЮЦИЯ круглого стола «Профориентация в школе»")
    document.add_paragraph("Дата: 05.10.2023")
    rows = [
        ("Адресат", ["Рекомендации"]),
        (
            "Департаменту Смоленской области по образованию и науке",
            [
                "утвердить региональную модель профориентации;",
                "учесть профориентацию в показателях эффективности школ.",
            ],
        ),
        ("Муниципальным органам управления образованием", ["организовать профессиональные пробы."]),
        ("Школам", ["- проводить дни профессий;", "- приглашать родителей-наставников."]),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    for row, (addressee, texts) in zip(table.rows, rows, strict=True):
        row.cells[0].text = addressee
        cell = row.cells[1]
        cell.paragraphs[0].text = texts[0]
        for text in texts[1:]:
            cell.add_paragraph(text)
    document.add_paragraph("г. Смоленск")
    return docx_bytes(document)


def test_docx_with_a_table() -> None:
    parsed = parse_resolution(build_table_docx(), "table.docx")
    assert parsed.title == "РЕЗОЛЮЦИЯ круглого стола «Профориентация в школе»"
    assert parsed.date == datetime.date(2023, 10, 5)
    assert parsed.place == "г. Смоленск"
    assert [(group.heading, group.category) for group in parsed.groups] == [
        ("Департаменту Смоленской области по образованию и науке", OrgKind.DEPARTMENT),
        ("Муниципальным органам управления образованием", OrgKind.MUNICIPAL),
        ("Школам", OrgKind.INSTITUTION),
    ]
    assert recommendations(parsed) == [
        (
            "утвердить региональную модель профориентации",
            "учесть профориентацию в показателях эффективности школ",
        ),
        ("организовать профессиональные пробы",),
        ("проводить дни профессий", "приглашать родителей-наставников"),
    ]


def test_docx_table_with_merged_cells_reads_each_cell_once() -> None:
    document = docx.Document()
    document.add_paragraph("РЕЗОЛЮЦИЯ")
    table = document.add_table(rows=4, cols=2)
    caption = table.cell(0, 0).merge(table.cell(0, 1))
    caption.text = "Рекомендации участников совещания"
    table.cell(1, 0).text = "Органам местного самоуправления"
    table.cell(1, 1).text = "создать муниципальные центры профориентации."
    # One addressee for two rows of recommendations.
    addressee = table.cell(2, 0).merge(table.cell(3, 0))
    addressee.text = "Учреждениям дополнительного образования"
    table.cell(2, 1).text = "открыть кружки робототехники."
    table.cell(3, 1).text = "провести фестиваль технического творчества."
    parsed = parse_resolution(docx_bytes(document), "merged.docx")
    assert parsed.title == "РЕЗОЛЮЦИЯ"
    assert parsed.groups == (
        ParsedGroup(
            "Органам местного самоуправления",
            OrgKind.MUNICIPAL,
            ("создать муниципальные центры профориентации",),
        ),
        ParsedGroup(
            "Учреждениям дополнительного образования",
            OrgKind.INSTITUTION,
            ("открыть кружки робототехники", "провести фестиваль технического творчества"),
        ),
    )


def test_docx_is_recognised_by_content_without_extension() -> None:
    by_name = parse_resolution(build_table_docx(), "table.docx")
    assert parse_resolution(build_table_docx(), "upload") == by_name
    assert parse_resolution(build_table_docx(), "TABLE.DOCX") == by_name


def test_text_is_recognised_without_extension() -> None:
    raw = (FIXTURES / "smolensk-2021-forum.md").read_bytes()
    assert parse_resolution(raw, "resolution") == parse_resolution(raw, "resolution.md")
    assert parse_resolution(raw, "RESOLUTION.MARKDOWN").recommendation_count == 15


# --- bad input ----------------------------------------------------------------------------------


def corrupt_docx() -> bytes:
    return b"PK\x03\x04" + bytes(range(256)) * 8


def zip_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "привет")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message_part"),
    [
        (b"", "empty.txt", "он пуст"),
        (b"  \r\n\t\n", "blank.txt", "он пуст"),
        (b"\xef\xbb\xbf", "bom-only.txt", "он пуст"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "resolution.pdf", "PDF"),
        (b"%PDF-1.4\n%binary", "resolution.txt", "PDF"),
        (random.Random(7).randbytes(4096), "junk.txt", "не похоже на текст"),
        (random.Random(8).randbytes(4096), "junk", "не похоже на текст"),
        (corrupt_docx(), "broken.docx", "повреждён"),
        (zip_without_document(), "not-word.docx", "повреждён"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old.doc", ".doc"),
        (b"anything", "table.xlsx", "«.xlsx» не поддерживается"),
    ],
)
def test_unreadable_files_are_rejected_in_russian(data: bytes, filename: str, message_part: str) -> None:
    with pytest.raises(ResolutionParseError) as caught:
        parse_resolution(data, filename)
    assert caught.value.key.startswith("parse.")
    assert message_part in str(caught.value)


def test_oversized_file_is_rejected() -> None:
    with pytest.raises(ResolutionParseError, match="больше 20 МБ"):
        parse_resolution(b"a" * (MAX_INPUT_BYTES + 1), "huge.txt")


def test_truncated_docx_is_rejected() -> None:
    data = build_table_docx()
    with pytest.raises(ResolutionParseError, match="повреждён"):
        parse_resolution(data[: len(data) // 2], "half.docx")


def test_headings_without_items_are_rejected() -> None:
    with pytest.raises(ResolutionParseError) as caught:
        parse_fixture("no-items.txt")
    assert str(caught.value) == NO_RECOMMENDATIONS


@pytest.mark.parametrize("text", ["", "РЕЗОЛЮЦИЯ\nфорума\n", "Форум рекомендует:\n\n"])
def test_text_without_recommendations_is_rejected(text: str) -> None:
    with pytest.raises(ResolutionParseError, match=NO_RECOMMENDATIONS):
        parse_resolution_text(text)


def test_docx_without_recommendations_is_rejected() -> None:
    document = docx.Document()
    document.add_paragraph("РЕЗОЛЮЦИЯ")
    document.add_paragraph("Департаменту образования:")
    with pytest.raises(ResolutionParseError, match=NO_RECOMMENDATIONS):
        parse_resolution(docx_bytes(document), "empty.docx")


def test_parse_error_is_a_value_error() -> None:
    assert issubclass(ResolutionParseError, ValueError)


# --- preview ------------------------------------------------------------------------------------


def test_render_preview(smolensk_2021: ParsedResolution) -> None:
    lines = render_preview(smolensk_2021, translator("ru")).splitlines()
    assert lines[0] == f"Заголовок: {smolensk_2021.title}"
    assert lines[1] == "Дата принятия: 24.08.2021"
    assert lines[2] == "Место: г. Смоленск"
    assert lines[3] == "Групп адресатов: 4. Рекомендаций: 15"
    assert "3. ГАУ ДПО СОПРО" in lines
    assert "   Вид организаций: Региональный институт развития образования" in lines
    assert "   Вид организаций: Учреждение дополнительного образования" in lines
    assert (
        "   4) инициировать открытие стажерских площадок на базе учреждений дополнительного образования "
        "детей с целью трансляции передового педагогического опыта"
    ) in lines
    assert sum(1 for line in lines if line.startswith("   Вид организаций: ")) == 4


def test_render_preview_without_date_and_place(smolensk_2018: ParsedResolution) -> None:
    lines = render_preview(smolensk_2018, translator("ru")).splitlines()
    assert lines[1] == "Дата принятия: 21.08.2018"
    assert lines[2] == "Место: не указано"
    undated = ParsedResolution("Резолюция", None, None, smolensk_2018.groups[:1])
    english = render_preview(undated, translator("en")).splitlines()
    assert english[1:3] == ["Adopted on: not stated", "Place: not stated"]
    assert english[6] == "   Kind of bodies: Department (regional authority)"


def test_parse_errors_name_a_catalog_text_in_both_languages() -> None:
    with pytest.raises(ResolutionParseError) as caught:
        parse_resolution(b"%PDF-1.7", "resolution.pdf")
    assert caught.value.key == "parse.pdf"
    assert translator("en").plain(caught.value.key, **caught.value.params).startswith("PDF is not supported")
