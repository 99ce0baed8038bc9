"""Every text exists in both locales with the same parameters, and renders with user values escaped."""

from __future__ import annotations

import string

from bot.texts.i18n import Html, translator
from bot.texts.locales import en, ru


def fields(template: str | tuple[str, ...]) -> set[str]:
    parts = template if isinstance(template, tuple) else (template,)
    return {name for part in parts for _, name, _, _ in string.Formatter().parse(part) if name}


def test_same_keys_and_parameters() -> None:
    assert set(ru.TEXTS) == set(en.TEXTS)
    mismatched = [key for key in ru.TEXTS if fields(ru.TEXTS[key]) != fields(en.TEXTS[key])]
    assert mismatched == []


def test_user_values_are_escaped_and_plurals_agree() -> None:
    t = translator("ru")
    assert (
        t("org.duplicate", name="<b>&")
        == "Такая организация уже есть: «&lt;b&gt;&amp;». Ничего не добавлено."
    )
    assert t("card.title", name=Html("<i>x</i>")) == "<b><i>x</i></b>"
    assert [t.n("card.members", n) for n in (1, 3, 5, 21)] == [
        "1 представитель:",
        "3 представителя:",
        "5 представителей:",
        "21 представитель:",
    ]
    assert translator("en").n("card.members", 2) == "2 representatives:"
