"""Shared helpers for the TTS tests: model factories and audio collection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from specwire._tts.realtime import RealtimeTTSModelBase
from specwire._tts.response import TTSResponse, block_audio
from specwire.credential import DashScopeCredential
from specwire.tts import DashScopeCosyVoiceRealtimeTTSModel, DashScopeRealtimeTTSModel

QWEN_MODEL = "qwen3-tts-flash-realtime"
COSY_MODEL = "cosyvoice-v3-flash"
PROTOCOLS = ["qwen", "cosyvoice"]


def credential(base_url: str) -> DashScopeCredential:
    """A credential pointed at a loopback server."""
    return DashScopeCredential(api_key="sk-test-secret", base_url=base_url)


def realtime_model(protocol: str, base_url: str, **kwargs: Any) -> RealtimeTTSModelBase:
    """A realtime model of ``protocol`` with test-friendly retry timing."""
    kwargs.setdefault("retry_delay", 0.001)
    kwargs.setdefault("stream", False)
    if protocol == "qwen":
        return DashScopeRealtimeTTSModel(
            credential=credential(base_url), model=QWEN_MODEL, **kwargs
        )
    kwargs.setdefault(
        "parameters", DashScopeCosyVoiceRealtimeTTSModel.Parameters(voice="longanyang")
    )
    return DashScopeCosyVoiceRealtimeTTSModel(
        credential=credential(base_url), model=kwargs.pop("model", COSY_MODEL), **kwargs
    )


async def audio_of(result: TTSResponse | AsyncGenerator[TTSResponse, None]) -> bytes:
    """The audio a synthesize() result hands out: a response's content, or the joined
    deltas of a stream (checked against its final chunk)."""
    if isinstance(result, TTSResponse):
        assert result.is_last
        return block_audio(result.content)
    chunks = [chunk async for chunk in result]
    assert chunks and chunks[-1].is_last and not any(c.is_last for c in chunks[:-1])
    joined = b"".join(block_audio(c.content) for c in chunks[:-1])
    assert joined == block_audio(chunks[-1].content), "deltas must join to the final chunk"
    return joined


async def settle_tasks(keep: set[asyncio.Task[Any]], within: float = 1.0) -> set[asyncio.Task[Any]]:
    """Tasks other than ``keep`` still alive after letting the loop run briefly."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        alive = {t for t in asyncio.all_tasks() if t not in keep and not t.done()}
        if not alive or asyncio.get_running_loop().time() > deadline:
            return alive
        await asyncio.sleep(0.01)
