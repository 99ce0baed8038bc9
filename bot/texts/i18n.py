"""Texts by key, Russian first; user-supplied values are escaped for Telegram's HTML on the way in."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from bot.texts.locales import en, ru

Catalog = Mapping[str, str | tuple[str, ...]]
CATALOGS: dict[str, Catalog] = {"ru": ru.TEXTS, "en": en.TEXTS}
DEFAULT_LOCALE = "ru"


class Html(str):
    """A fragment that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def plural_index(locale: str, n: int) -> int:
    n = abs(n)
    if locale == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return 1
        return 2
    return 0 if n == 1 else 1


class Translator:
    def __init__(self, locale: str = DEFAULT_LOCALE) -> None:
        self.locale = locale if locale in CATALOGS else DEFAULT_LOCALE
        self._catalog = CATALOGS[self.locale]
        self._fallback = CATALOGS[DEFAULT_LOCALE]

    def _template(self, key: str) -> str | tuple[str, ...]:
        template = self._catalog.get(key)
        if template is None:
            template = self._fallback[key]
        return template

    def __call__(self, key: str, /, **params: Any) -> Html:
        template = self._template(key)
        if isinstance(template, tuple):
            raise TypeError(f"{key} is a plural text: use .n()")
        return Html(template.format(**_escaped(params)))

    def n(self, key: str, count: int, /, **params: Any) -> Html:
        forms = self._template(key)
        if not isinstance(forms, tuple):
            raise TypeError(f"{key} is not a plural text")
        locale = self.locale if self._catalog.get(key) is not None else DEFAULT_LOCALE
        form = forms[min(plural_index(locale, count), len(forms) - 1)]
        return Html(form.format(n=count, **_escaped(params)))

    def plain(self, key: str, /, **params: Any) -> str:
        """For places that take no markup: button labels, command descriptions, callback answers."""
        template = self._template(key)
        if isinstance(template, tuple):
            raise TypeError(f"{key} is a plural text")
        return template.format(**params)


def _escaped(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, Html | int | float) else escape(str(v), quote=False) for k, v in params.items()
    }


def locale_for(language_code: str | None, preferred: str | None = None, default: str = DEFAULT_LOCALE) -> str:
    """The person's stored choice wins; then an English client gets English; everyone else the default."""
    if preferred in CATALOGS:
        return preferred  # type: ignore[return-value]
    if language_code and language_code.lower().startswith("en"):
        return "en"
    return default if default in CATALOGS else DEFAULT_LOCALE


def translator(locale: str | None = None) -> Translator:
    return _TRANSLATORS.get(locale or DEFAULT_LOCALE, _TRANSLATORS[DEFAULT_LOCALE])


_TRANSLATORS = {code: Translator(code) for code in CATALOGS}
