from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. It carries a text key and its parameters; the handler renders it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
