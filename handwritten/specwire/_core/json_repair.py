"""Making almost-JSON from a model into JSON: code fences, surrounding prose, trailing
commas, single quotes around keys and strings, and unclosed strings or brackets."""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object in ``text``, repaired if need be; ValueError when there is none."""
    text = text.strip()
    try:
        value = json.loads(text) if text else {}
        if isinstance(value, dict):
            return value
    except json.JSONDecodeError:
        pass
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    start = text.find("{")
    if start < 0:
        raise ValueError(f"no JSON object in model output: {text[:80]!r}")
    candidate = _close_brackets(text[start:])
    for attempt in (candidate, _TRAILING_COMMA.sub(r"\1", candidate)):
        try:
            value = json.loads(attempt)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    swapped = _TRAILING_COMMA.sub(r"\1", _single_to_double_quotes(candidate))
    try:
        value = json.loads(swapped)
    except json.JSONDecodeError as exc:
        raise ValueError(f"model output is not repairable JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ValueError("model output is JSON but not an object")
    return value


def _close_brackets(text: str) -> str:
    """Cut after the object's closing bracket, or close what was left open."""
    stack: list[str] = []
    in_string = escape = False
    for i, ch in enumerate(text):
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if stack:
                stack.pop()
            if not stack:
                return text[: i + 1]
    tail = text.rstrip()
    if in_string:
        tail += '"'
    tail = tail.rstrip(",: \n\t")
    return tail + "".join(reversed(stack))


def _single_to_double_quotes(text: str) -> str:
    return re.sub(r"'([^'\\]*(?:\\.[^'\\]*)*)'", lambda m: json.dumps(m.group(1)), text)
