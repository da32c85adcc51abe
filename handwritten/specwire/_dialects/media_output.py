"""Media a chat model answers with (speech, images), fed to the accumulator as data blocks.

Shared by the dialects whose providers return media:

- OpenAI chat completions audio (``message.audio`` / streamed ``delta.audio``: ``id``,
  ``data``, ``transcript``, ``expires_at``), which DashScope's compatible mode uses for
  Qwen-Omni too: the audio becomes one ``DataBlock`` (streamed pieces appended), the
  transcript a ``TextBlock`` of its own.
- DashScope's native content parts (``{"audio": {...}}`` or ``{"audio": url}``).
- OpenAI Responses ``image_generation_call`` items (``result``) and their streamed
  ``partial_image_b64`` previews: each preview replaces the block, the final item's
  result is the block.

Media types come from the bytes themselves (WAV, MP3, FLAC, Ogg, AAC; PNG, JPEG, WebP,
GIF) because the request's format is not at hand where the answer is read; raw audio
without a header is the 16-bit 24 kHz PCM these providers stream.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Hashable, Mapping
from typing import Any

from .._core.accumulator import StreamAccumulator
from .._core.blocks import Base64Source, DataBlock, URLSource

PCM_AUDIO = "audio/pcm;rate=24000"
"""Headerless audio: OpenAI's and Qwen-Omni's 16-bit mono 24 kHz PCM."""

_FORMAT_TYPES = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "pcm16": PCM_AUDIO,
    "png": "image/png",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "webp": "image/webp",
}


def sniff_media_type(head: bytes) -> str | None:
    """The media type the first bytes of a file announce, or None."""
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[:2] in (b"\xff\xf1", b"\xff\xf9"):
        return "audio/aac"
    return None


def media_type_of(data: str, default: str, declared: Any = None) -> str:
    """The media type of base64 ``data``: a declared format (``"png"``) if known, else
    what its first bytes say, else ``default``."""
    if isinstance(declared, str) and declared.lower() in _FORMAT_TYPES:
        return _FORMAT_TYPES[declared.lower()]
    try:
        head = base64.b64decode(data[:24] + "=" * (-len(data[:24]) % 4))
    except (binascii.Error, ValueError):
        return default
    return sniff_media_type(head) or default


def openai_audio(acc: StreamAccumulator, audio: Any, *, position: int = 0) -> None:
    """An OpenAI-form audio object (whole or a streamed delta) into ``acc``: the
    transcript as text, the data appended to the audio block."""
    if not isinstance(audio, Mapping):
        return
    transcript = audio.get("transcript")
    if isinstance(transcript, str) and transcript:
        acc.text(transcript, key=("audio_transcript", position))
    data = audio.get("data")
    if isinstance(data, str) and data:
        acc.media(data, media_type_of(data, PCM_AUDIO), key=("audio", position))


def dashscope_audio_part(acc: StreamAccumulator, audio: Any, position: int) -> None:
    """A DashScope native content part's ``audio``: inline data (appended, as streamed
    pieces arrive) or a URL to the file."""
    if isinstance(audio, str) and audio.startswith(("http://", "https://")):
        source = URLSource(url=audio, media_type=_url_media_type(audio))
        acc.data(DataBlock(source=source), key=("audio", position))
        return
    if isinstance(audio, Mapping):
        url = audio.get("url")
        if isinstance(url, str) and url and not audio.get("data"):
            source = URLSource(url=url, media_type=_url_media_type(url))
            acc.data(DataBlock(source=source), key=("audio", position))
            return
        openai_audio(acc, audio, position=position)


def generated_image(acc: StreamAccumulator, data: Any, key: Hashable, declared: Any = None) -> None:
    """A whole generated image (a preview or the result) as the block under ``key``."""
    if isinstance(data, str) and data:
        source = Base64Source(data=data, media_type=media_type_of(data, "image/png", declared))
        acc.data(DataBlock(source=source), key=key)


def _url_media_type(url: str) -> str:
    suffix = url.split("?", 1)[0].rsplit(".", 1)[-1].lower()
    return _FORMAT_TYPES.get(suffix, "audio/wav")
