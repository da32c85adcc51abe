"""Spec data to wire values, shared by the HTTP and the realtime TTS models: the options
every TTS dialect reads, audio formats and model-name patterns (websocket URLs live in
``_core.websocket``, shared with the realtime sessions)."""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._core.contract import DialectOptions
from .._core.websocket import WsBasePath as WsBasePath  # shared with realtime sessions
from .._core.websocket import websocket_url as websocket_url

# The media type each audio ``format`` value stands for; raw PCM carries its rate.
_FORMAT_MEDIA_TYPES = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
    "aac": "audio/aac",
}


class TTSOptions(DialectOptions):
    """The options every TTS dialect reads."""

    card_models: tuple[str, ...] = ()
    """fnmatch patterns of this class's cards among its provider's TTS card folder
    (which sibling classes share); empty: every card there."""


class AudioDefault(DialectOptions):
    """The audio a model sends when the call names no format."""

    models: str = "*"
    """fnmatch pattern of the models this entry covers."""
    format: str | None = None
    sample_rate: int | None = None


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


def audio_defaults(entries: Sequence[AudioDefault], model: str) -> dict[str, Any]:
    """The spec's default ``format`` / ``sample_rate`` for ``model``: the first entry
    of ``entries`` (the option ``audio_defaults``) whose ``models`` pattern matches."""
    for entry in entries:
        if matches(model, entry.models):
            return entry.model_dump(exclude={"models"}, exclude_none=True)
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
