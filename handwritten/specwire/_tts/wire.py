"""Spec data to wire values, shared by the HTTP and the realtime TTS models: parameter
placement, audio formats and model-name patterns (websocket URLs: ``_core.websocket``)."""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

from .._core.websocket import websocket_url as websocket_url  # one place, shared

# The media type each audio ``format`` value stands for; raw PCM carries its rate.
_FORMAT_MEDIA_TYPES = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
    "aac": "audio/aac",
}


def media_type(audio_format: str, sample_rate: int | None = None) -> str:
    """``audio/wav``, ``audio/mpeg``, ``audio/pcm;rate=24000``... for a format name."""
    fmt = audio_format.lower()
    if fmt == "pcm":
        return f"audio/pcm;rate={sample_rate}" if sample_rate else "audio/pcm"
    return _FORMAT_MEDIA_TYPES.get(fmt, f"audio/{fmt}")


def matches(model: str, patterns: str | Iterable[str] | None) -> bool:
    """Whether ``model`` matches a glob pattern (or any of several)."""
    if not patterns:
        return False
    if isinstance(patterns, str):
        patterns = [patterns]
    return any(fnmatch.fnmatchcase(model, p) for p in patterns)


def audio_defaults(options: Mapping[str, Any], model: str) -> dict[str, Any]:
    """The spec's default ``format`` / ``sample_rate`` for ``model``: the first entry
    of ``options.audio_defaults`` whose ``models`` pattern matches."""
    for entry in options.get("audio_defaults") or ():
        if matches(model, entry.get("models", "*")):
            return {k: v for k, v in entry.items() if k != "models"}
    return {}


def merged(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with ``extra`` merged in (mappings merge recursively)."""
    out = copy.deepcopy(dict(base))
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
