"""Two extensions OpenAI-compatible servers make to Chat Completions, read and written in
one place.

- **Content as typed parts.** ``content`` (of a message or of a stream delta) may be a list
  of parts instead of a string: ``{"type": "text", "text": ...}`` and thinking parts,
  ``{"type": "thinking", "thinking": [{"type": "text", "text": ...}]}`` (Mistral) or
  ``{"type": "thinking", "thinking": "..."}``. Text parts feed the text block, thinking
  parts the thinking block; parts of other types (references, images) are skipped.
- **Reasoning details.** ``reasoning_details`` (OpenRouter) is a list of typed entries:
  ``reasoning.text`` (``text``, optionally a ``signature``), ``reasoning.summary``
  (``summary``) and ``reasoning.encrypted`` (``data``), each with ``format`` (e.g.
  ``anthropic-claude-v1``), ``index`` and maybe ``id``. Each entry becomes one
  ``ThinkingBlock``: its text is the block's ``thinking``, a signature or encrypted data
  its ``signature``, and the rest (``type``, ``format``, ``index``, ``id``) is kept as
  ``reasoning_detail`` next to ``origin`` (the provider), so the entry can be rebuilt and
  sent back, to that provider only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable
from typing import Any

from .._core.accumulator import StreamAccumulator
from .._core.blocks import ThinkingBlock

THINKING_PART_TYPES = frozenset({"thinking", "reasoning"})
"""Content part types that carry reasoning rather than answer text."""

_DETAIL_TEXT = {"reasoning.text": "text", "reasoning.summary": "summary"}
_DETAIL_SECRET = {"reasoning.text": "signature", "reasoning.encrypted": "data"}
_DETAIL_META = ("type", "format", "index", "id")


def _nested_text(value: Any) -> str:
    """The text of a thinking part's payload: a string, or a list of text parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(_nested_text(v) for v in value)
    if isinstance(value, dict):
        text = value.get("text")
        return text if isinstance(text, str) else ""
    return ""


def feed_content(content: Any, acc: StreamAccumulator) -> None:
    """Feed a message's or a delta's ``content`` (a string, a list of typed parts, or
    one part) into ``acc``."""
    if isinstance(content, str):
        if content:
            acc.text(content)
        return
    parts = content if isinstance(content, list) else (content,)
    for part in parts:
        if isinstance(part, str):
            acc.text(part)
            continue
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "text":
            text = part.get("text")
            if isinstance(text, str):
                acc.text(text)
        elif kind in THINKING_PART_TYPES:
            payload = part.get(kind)
            if payload is None:
                payload = part.get("text")
            acc.thinking(_nested_text(payload))


def feed_reasoning_details(details: list[Any], acc: StreamAccumulator, origin: str) -> bool:
    """Feed ``reasoning_details`` entries into ``acc``: one thinking block per entry
    (keyed by its index and type, so a stream's pieces of one entry join). Whether any
    entry carried reasoning text."""
    had_text = False
    for position, entry in enumerate(details):
        if not isinstance(entry, dict):
            continue
        kind = entry.get("type")
        if not isinstance(kind, str):
            continue
        text_field, secret_field = _DETAIL_TEXT.get(kind), _DETAIL_SECRET.get(kind)
        if text_field is None and secret_field is None:
            continue  # an entry type we do not know: nothing we could send back faithfully
        text = entry.get(text_field) if text_field else None
        secret = entry.get(secret_field) if secret_field else None
        index = entry.get("index", position)
        meta = {k: entry[k] for k in _DETAIL_META if entry.get(k) is not None}
        key: Hashable = (
            "reasoning_detail",
            index if isinstance(index, Hashable) else position,
            kind,
        )
        text = text if isinstance(text, str) else ""
        had_text = had_text or bool(text)
        acc.thinking(
            text,
            key=key,
            signature=secret if isinstance(secret, str) and secret else None,
            extra={"origin": origin, "reasoning_detail": meta},
        )
    return had_text


def reasoning_detail_entry(block: ThinkingBlock) -> dict[str, Any] | None:
    """The ``reasoning_details`` entry a thinking block was read from, rebuilt with its
    text and signature, with ``origin`` added (the dialect keeps entries whose origin is
    its provider and removes the key); None for a block that did not come from one."""
    meta = getattr(block, "reasoning_detail", None)
    if not isinstance(meta, dict) or meta.get("type") not in (*_DETAIL_TEXT, *_DETAIL_SECRET):
        return None
    kind = meta["type"]
    entry = dict(meta)
    text_field, secret_field = _DETAIL_TEXT.get(kind), _DETAIL_SECRET.get(kind)
    if text_field:
        entry[text_field] = block.thinking
    if secret_field and block.signature:
        entry[secret_field] = block.signature
    entry["origin"] = getattr(block, "origin", None)
    return entry


def thinking_part(text: str) -> dict[str, Any]:
    """Reasoning text as a thinking content part (the form Mistral reads back)."""
    return {"type": "thinking", "thinking": [{"type": "text", "text": text}], "closed": True}


_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def fitted_tool_call_id(call_id: str, length: int) -> str:
    """``call_id`` if it is ``length`` letters and digits, else a deterministic id of that
    form derived from it (the same input always gives the same id, so a call and its
    result still match): Mistral takes only 9-character alphanumeric ids."""
    if len(call_id) == length and re.fullmatch(r"[A-Za-z0-9]+", call_id):
        return call_id
    number = int.from_bytes(hashlib.sha256(call_id.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, rest = divmod(number, len(_ALPHANUMERIC))
        chars.append(_ALPHANUMERIC[rest])
    return "".join(chars)
