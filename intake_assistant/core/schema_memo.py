"""Where the application hands over its memo of documents already found valid (see
`core.loader.schema_findings`). Kept apart from the loader so that installing it imports no
JSON Schema machinery: commands that validate nothing (`list`) must not pay for it."""

from __future__ import annotations

from typing import Protocol


class ValidationMemo(Protocol):
    """Digests of documents already found valid against a schema (kept by the application)."""

    def known_valid(self, digest: str) -> bool: ...

    def remember(self, digest: str) -> None: ...


_memo: ValidationMemo | None = None


def use_validation_memo(memo: ValidationMemo | None) -> None:
    global _memo
    _memo = memo


def current() -> ValidationMemo | None:
    return _memo
