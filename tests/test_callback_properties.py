"""Property-based tests for callback unpacking: whatever bytes a client (or a forger) sends as callback data,
unpacking either yields a valid, range-checked object or refuses with a validation error — never another
exception that would leave the button unanswered — and every valid object packs within Telegram's 64 bytes.
"""

from __future__ import annotations

import inspect

import pytest
from aiogram.filters.callback_data import CallbackData
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.telegram import callbacks

FACTORIES = sorted(
    (
        factory
        for _, factory in inspect.getmembers(callbacks, inspect.isclass)
        if issubclass(factory, CallbackData) and factory is not CallbackData
    ),
    key=lambda factory: factory.__prefix__,
)
# What a forged button may carry after the prefix: numbers of any size, words, separators, nothing.
FIELD = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=20),
    st.sampled_from(["", "-", "?", "0", "1", "true", "false", "ok", "no", "done", "accept"]),
)


def test_every_factory_has_its_own_prefix() -> None:
    prefixes = [factory.__prefix__ for factory in FACTORIES]
    assert len(prefixes) == len(set(prefixes)), prefixes
    assert len(FACTORIES) > 20


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda factory: factory.__name__)
@settings(max_examples=150, deadline=None)
@given(fields=st.lists(FIELD, max_size=8))
def test_forged_data_is_valid_or_refused(factory: type[CallbackData], fields: list[str]) -> None:
    data = ":".join([factory.__prefix__, *fields])
    try:
        unpacked = factory.unpack(data)
    except (ValueError, TypeError, ValidationError):
        return  # refused: the filter does not match and the fallback answers «the button is stale»
    for name, value in unpacked.model_dump().items():
        if isinstance(value, int) and not isinstance(value, bool):
            # Range-checked where unpacked: nothing past what the databases' BIGINT holds gets through.
            assert 0 <= value <= callbacks.MAX_ID, (name, value)
    assert len(unpacked.pack().encode()) <= 64


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda factory: factory.__name__)
def test_a_25_digit_id_never_unpacks(factory: type[CallbackData]) -> None:
    fields = factory.model_fields
    for name in fields:
        values = {key: "0" for key in fields}
        values[name] = "9" * 25
        data = ":".join([factory.__prefix__, *values.values()])
        try:
            unpacked = factory.unpack(data)
        except (ValueError, TypeError, ValidationError):
            continue
        assert getattr(unpacked, name) != int("9" * 25)
