"""The shared websocket helpers: URLs derived from the credential's base URL, and the
logger every connection gets, which never prints headers nor a secret."""

from __future__ import annotations

import logging

import pytest

from specwire._core.websocket import RedactingLogger, credential_secrets, websocket_url
from specwire.credential import DashScopeCredential, GeminiCredential, OpenAICredential
from specwire.realtime import DashScopeRealtimeModel, GeminiRealtimeModel, OpenAIRealtimeModel


def test_realtime_urls_follow_the_base_url_of_each_provider() -> None:
    openai = OpenAIRealtimeModel(credential=OpenAICredential(api_key="k"), model="gpt-realtime")
    assert (
        websocket_url(openai.credential, openai.endpoint, "gpt-realtime")
        == "wss://api.openai.com/v1/realtime?model=gpt-realtime"
    )
    gemini = GeminiRealtimeModel(credential=GeminiCredential(api_key="k"), model="m")
    assert websocket_url(gemini.credential, gemini.endpoint, "m") == (
        "wss://generativelanguage.googleapis.com/ws/"
        "google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
    )
    dashscope = DashScopeRealtimeModel(
        credential=DashScopeCredential(
            api_key="k", base_url="https://dashscope-intl.aliyuncs.com/api/v1"
        ),
        model="qwen3-omni-flash-realtime",
    )
    dialect = dashscope._dialect_cls(dashscope.endpoint, {}, "dashscope")
    url = websocket_url(
        dashscope.credential,
        dashscope.endpoint,
        "qwen3-omni-flash-realtime",
        dialect.ws_base_path(),
    )
    assert (
        url
        == "wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime?model=qwen3-omni-flash-realtime"
    )


def test_the_connection_logger_never_debugs_and_scrubs_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="specwire.websocket")
    secrets = credential_secrets(OpenAICredential(api_key="sk-very-secret"))
    assert secrets == ["sk-very-secret"]
    log = RedactingLogger(secrets)
    assert not log.isEnabledFor(logging.DEBUG)  # the library formats no handshake dump
    log.debug("> Authorization: Bearer %s", "sk-very-secret")
    log.warning("keepalive failed for %s", "Bearer sk-very-secret")
    log.info("plain sk-very-secret text")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["keepalive failed for Bearer [redacted]", "plain [redacted] text"]
