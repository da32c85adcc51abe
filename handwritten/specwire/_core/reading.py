"""Reading provider JSON defensively: each helper returns a value of the expected
type or raises ``ResponseFormatError`` naming the path that was wrong
(``choices[0].message.tool_calls[1]``), so a malformed answer never escapes as a bare
AttributeError or KeyError from inside specwire."""

from __future__ import annotations

from typing import Any

from .errors import ResponseFormatError


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return type(value).__name__


def wrong(path: str, value: Any, expected: str, provider: str | None = None) -> ResponseFormatError:
    """The error for ``path`` holding ``value`` where ``expected`` was due."""
    return ResponseFormatError(
        f"malformed answer: {path} is {_kind(value)}, expected {expected}",
        provider=provider,
        body={"path": path},
    )


def obj(value: Any, path: str, provider: str | None = None) -> dict[str, Any]:
    """An object; null or absent reads as empty."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise wrong(path, value, "an object", provider)
    return value


def items(value: Any, path: str, provider: str | None = None) -> list[Any]:
    """An array; null or absent reads as empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise wrong(path, value, "an array", provider)
    return value


def objects(value: Any, path: str, provider: str | None = None) -> list[dict[str, Any]]:
    """An array of objects; null or absent reads as empty."""
    out = items(value, path, provider)
    for position, item in enumerate(out):
        if not isinstance(item, dict):
            raise wrong(f"{path}[{position}]", item, "an object", provider)
    return out


def text(value: Any, path: str, provider: str | None = None) -> str | None:
    """A string, or None when null or absent."""
    if value is None or isinstance(value, str):
        return value
    raise wrong(path, value, "a string", provider)


def count(value: Any, path: str, provider: str | None = None) -> int | None:
    """A whole number not below 0 (a token count), or None when null or absent."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    raise wrong(path, value, "a whole number, not negative", provider)
