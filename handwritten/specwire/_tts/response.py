"""What a text-to-speech model returns."""

from __future__ import annotations

import base64
from typing import Any, Literal

from pydantic import BaseModel, Field

from .._core.blocks import Base64Source, DataBlock
from .._core.ids import new_id, now_iso


class TTSUsage(BaseModel):
    """What the provider counted for a synthesis, and the seconds it took.

    ``characters`` is the provider's billable character count where it reports one
    (DashScope bills speech by characters); token counts are kept when it reports them.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    characters: int = 0
    time: float = 0.0
    type: Literal["tts"] = "tts"


class TTSResponse(BaseModel):
    """Synthesized audio: a whole result, a stream delta (``is_last=False``) or the final
    chunk of a stream (``is_last=True``). ``content`` is ``None`` when no audio is ready
    yet; its ``source.media_type`` says the format (``audio/wav``,
    ``audio/pcm;rate=24000``...)."""

    content: DataBlock | None = None
    is_last: bool = True
    usage: TTSUsage | None = None
    id: str = Field(default_factory=new_id)
    created_at: str = Field(default_factory=now_iso)
    metadata: dict[str, Any] | None = None
    type: Literal["tts"] = "tts"


_DELTA_FIELDS = frozenset({"content", "is_last", "id", "created_at"})
_set = object.__setattr__


def delta_response(
    content: DataBlock | None, is_last: bool, response_id: str, created_at: str
) -> TTSResponse:
    """A ``TTSResponse`` built without validation or pydantic's per-call field walk:
    the hot path (one per push, one per streamed delta). Sets exactly what
    ``TTSResponse.model_construct`` would for these values."""
    response = TTSResponse.__new__(TTSResponse)
    _set(
        response,
        "__dict__",
        {
            "content": content,
            "is_last": is_last,
            "usage": None,
            "id": response_id,
            "created_at": created_at,
            "metadata": None,
            "type": "tts",
        },
    )
    _set(response, "__pydantic_fields_set__", set(_DELTA_FIELDS))
    _set(response, "__pydantic_extra__", None)
    _set(response, "__pydantic_private__", None)
    return response


def audio_block(audio: bytes, media_type: str) -> DataBlock | None:
    """``audio`` as an inline data block, or None when there is none."""
    if not audio:
        return None
    source = Base64Source.model_construct(
        type="base64", data=base64.b64encode(audio).decode("ascii"), media_type=media_type
    )
    return DataBlock.model_construct(type="data", source=source, name=None, id=new_id())


def block_audio(block: DataBlock | None) -> bytes:
    """The raw bytes of an inline audio block (empty for None)."""
    if block is None:
        return b""
    source = block.source
    if not isinstance(source, Base64Source):
        raise ValueError("the audio is a URL, not inline data")
    return base64.b64decode(source.data)
