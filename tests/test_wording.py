"""Issue 12: the edited texts are what people actually see — plurals, short titles, dative labels."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.services.intents import Recipient, Reminder, ReminderKind
from bot.telegram.views.delivery import reminder_text
from bot.texts.i18n import translator
from storage.repositories.schedule import OpenItem

SHOUTED = "РЕЗОЛЮЦИЯ ФОРУМА РАБОТНИКОВ ДОПОЛНИТЕЛЬНОГО ОБРАЗОВАНИЯ СМОЛЕНСКОЙ ОБЛАСТИ"


def _reminder(kind: ReminderKind, days: int | None, adopted_on: dt.date | None) -> Reminder:
    item = OpenItem(
        org_id=1,
        org_name="ДДТ Ярцево",
        resolution_id=1,
        resolution_title=SHOUTED,
        rec_id=7,
        number="2.1",
        text="Провести семинар",
        deadline=dt.date(2026, 10, 15),
        published_at=None,
        resolution_adopted_on=adopted_on,
    )
    return Reminder(Recipient(1), "k", kind, (item,), deadline=dt.date(2026, 10, 15), days=days)


@pytest.mark.parametrize(
    ("days", "phrase"),
    [(1, "остался 1 день."), (3, "осталось 3 дня."), (5, "осталось 5 дней."), (21, "остался 21 день.")],
)
def test_deadline_reminder_agrees_with_the_number_of_days(days: int, phrase: str) -> None:
    text = reminder_text(translator("ru"), _reminder(ReminderKind.DEADLINE, days, dt.date(2021, 8, 24)))
    assert f"Срок выполнения — 15.10.2026, {phrase}" in text
    assert "📜 Резолюция форума от 24.08.2021\n" in text
    assert "РЕЗОЛЮЦИЯ" not in text


@pytest.mark.parametrize(("days", "phrase"), [(1, "уже 1 день"), (2, "уже 2 дня"), (11, "уже 11 дней")])
def test_nudge_counts_silent_days_in_words(days: int, phrase: str) -> None:
    text = reminder_text(translator("ru"), _reminder(ReminderKind.NUDGE, days, None))
    assert f"От организации «ДДТ Ярцево» {phrase} нет новых отчётов." in text
    assert "РЕЗОЛЮЦИЯ" not in text and "(дней:" not in text


def test_manual_reminder_takes_the_short_title() -> None:
    text = reminder_text(translator("ru"), _reminder(ReminderKind.MANUAL, None, dt.date(2021, 8, 24)))
    assert text.startswith("📣 <b>Напоминание от администратора</b>\n📜 Резолюция форума от 24.08.2021\n")


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (1, "(и ещё 1 более ранняя версия)"),
        (3, "(и ещё 3 более ранние версии)"),
        (7, "(и ещё 7 более ранних версий)"),
    ],
)
def test_earlier_versions_agree_with_their_number(count: int, text: str) -> None:
    assert translator("ru").n("status.history_earlier_n", count) == text


def test_settings_mistakes_are_told_in_the_operator_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from bot.config import Settings, describe_invalid

    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError) as russian:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert describe_invalid(russian.value) == (
        "TIMEZONE: «Mars/Olympus» — не часовой пояс из базы IANA; пример: Europe/Moscow."
    )
    monkeypatch.setenv("LOCALE", "en")
    with pytest.raises(ValidationError) as english:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert describe_invalid(english.value).startswith("TIMEZONE: «Mars/Olympus» is not an IANA time zone")


def test_storage_names_a_bad_database_url_by_code() -> None:
    from storage.db import DatabaseUrlError, normalize_url

    with pytest.raises(DatabaseUrlError) as caught:
        normalize_url("mysql://db/x")
    assert (caught.value.key, caught.value.params) == ("db.unsupported_driver", {"driver": "mysql"})
    assert (
        translator("ru")
        .plain(caught.value.key, **caught.value.params)
        .startswith("DATABASE_URL указывает драйвер «mysql»")
    )
