"""Realtime model classes for tests, bound to the loopback server."""

from __future__ import annotations

from typing import Any

from specwire._testing.realtime_server import RealtimeLoopbackServer
from specwire.credential import DashScopeCredential, GeminiCredential, OpenAICredential
from specwire.realtime import DashScopeRealtimeModel, GeminiRealtimeModel, OpenAIRealtimeModel

MODELS = {
    "openai": (OpenAIRealtimeModel, "gpt-realtime"),
    "gemini": (GeminiRealtimeModel, "gemini-live-2.5-flash-preview"),
    "dashscope": (DashScopeRealtimeModel, "qwen3-omni-flash-realtime"),
}
INPUT_RATES = {"openai": 24000, "gemini": 16000, "dashscope": 16000}


def model_for(
    provider: str, server: RealtimeLoopbackServer, **kwargs: Any
) -> OpenAIRealtimeModel | GeminiRealtimeModel | DashScopeRealtimeModel:
    name = MODELS[provider][1]
    kwargs.setdefault("open_timeout", 5.0)
    if provider == "openai":
        return OpenAIRealtimeModel(
            credential=OpenAICredential(api_key="sk-test-secret", base_url=server.openai_base_url),
            model=name,
            **kwargs,
        )
    if provider == "gemini":
        return GeminiRealtimeModel(
            credential=GeminiCredential(
                api_key="AIza-test-secret", base_url=server.gemini_base_url
            ),
            model=name,
            **kwargs,
        )
    return DashScopeRealtimeModel(
        credential=DashScopeCredential(api_key="sk-ds-secret", base_url=server.dashscope_base_url),
        model=name,
        **kwargs,
    )
