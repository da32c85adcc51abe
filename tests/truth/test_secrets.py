"""No secret in any output: every dialect (and the embedding and realtime TTS wires)
runs against servers that echo the key back, with every logger at DEBUG, and the key
is searched for in every error's str, repr, args, message, body and traceback, in
every log record and in everything printed."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import pytest

from specwire._testing import LoopbackServer, Reply
from specwire._testing.tts_server import Fault, TTSLoopbackServer
from specwire.credential import DashScopeCredential, OpenAICredential
from specwire.embedding import OpenAIEmbeddingModel
from specwire.errors import SpecwireError
from specwire.message import UserMsg
from specwire.model import ChatResponse
from specwire.tts import DashScopeCosyVoiceRealtimeTTSModel, DashScopeRealtimeTTSModel

from .dialects import CASE_IDS, CASES, STOP_VALUES, DialectCase

KEY = "sk-live-7f3a9c2e1b8d4f6a0e5c"
ASK = [UserMsg(name="user", content="Say hello")]


def _echo_key(status: int) -> Reply:
    return Reply.json(
        {
            "error": {
                "message": f"Incorrect API key provided: {KEY}. You passed {KEY!r}.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
                "param": KEY,
            },
            "code": "InvalidApiKey",
            "message": f"key {KEY} is wrong",
        },
        status=status,
    )


def _shown(error: BaseException) -> list[str]:
    """Everything a person or a log could see of ``error``."""
    seen = [str(error), repr(error), repr(error.args)]
    seen += traceback.format_exception(error)
    for name in ("message", "body", "partial"):
        seen.append(repr(getattr(error, name, None)))
    return seen


def _assert_clean(
    texts: list[str], caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = capsys.readouterr()
    # the loopback TTS server's own websockets logger is the other side, not specwire's
    records = [r for r in caplog.records if not r.name.startswith("websockets.server")]
    everything = texts + [out, err] + [f"{r.name}: {r.getMessage()}" for r in records]
    everything += [r.exc_text or "" for r in records]
    leaks = [t for t in everything if KEY in t]
    assert not leaks, f"the key leaked into: {leaks[0][:300]!r}"


@pytest.fixture(autouse=True)
def _debug_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: httpx, httpcore, websockets, specwire
    for name in ("httpx", "httpcore", "websockets", "specwire", "asyncio"):
        logging.getLogger(name).setLevel(logging.DEBUG)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
async def test_an_error_echoing_the_key_never_shows_it(
    case: DialectCase,
    stream: bool,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    busy = Reply.json(
        {"error": {"message": f"upstream failed for {KEY}", "type": "api_error"}}, status=503
    )
    replies = [busy, _echo_key(401)]  # one retry (logged), then the final failure
    texts: list[str] = []
    async with LoopbackServer(replies) as server:
        model = case.make(server.url, KEY, stream)
        model.max_retries = 1
        model._retry = model.binding.retry_policy(1)  # type: ignore[attr-defined]
        texts.append(repr(model))
        texts.append(repr(model.credential))
        with pytest.raises(SpecwireError) as info:
            result = await model(ASK)
            if not isinstance(result, ChatResponse):
                async for _ in result:
                    pass
        assert len(server.requests) == 2
    texts += _shown(info.value)
    assert any("[redacted]" in t for t in texts)
    assert any("attempt 1 failed" in r.getMessage() for r in caplog.records)
    _assert_clean(texts, caplog, capsys)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_a_successful_stream_logs_no_key(
    case: DialectCase, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    async with LoopbackServer([case.stream_reply(STOP_VALUES[case.name])]) as server:
        result = await case.make(server.url, KEY, True)(ASK)
        assert not isinstance(result, ChatResponse)
        chunks = [repr(c) async for c in result]
        assert server.requests[0].headers  # the key did go out, in a header
    _assert_clean(chunks, caplog, capsys)


async def test_an_embedding_error_echoing_the_key_never_shows_it(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    async with LoopbackServer([_echo_key(401)]) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key=KEY, base_url=server.url),
            model="text-embedding-3-small",
            max_retries=0,
        )
        with pytest.raises(SpecwireError) as info:
            await model(["hello"])
    texts = _shown(info.value)
    for failure in getattr(info.value, "failures", []):
        texts += _shown(failure.error)
    _assert_clean(texts, caplog, capsys)


@pytest.mark.parametrize(
    "model_cls", [DashScopeRealtimeTTSModel, DashScopeCosyVoiceRealtimeTTSModel]
)
async def test_realtime_tts_logs_no_key_at_debug(
    model_cls: Any, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = Fault(error_after=1, error_code="InvalidParameter", error_message=f"bad key {KEY}")
    async with TTSLoopbackServer(faults=[fault]) as server:
        kwargs: dict[str, Any] = {"stream": False, "retry_delay": 0.001}
        if model_cls is DashScopeCosyVoiceRealtimeTTSModel:
            kwargs["parameters"] = model_cls.Parameters(voice="longanyang")
            model = "cosyvoice-v3-flash"
        else:
            model = "qwen3-tts-flash-realtime"
        tts = model_cls(
            credential=DashScopeCredential(api_key=KEY, base_url=server.base_url),
            model=model,
            **kwargs,
        )
        async with tts:
            await tts.push("Hello there.")
            with pytest.raises(SpecwireError) as info:
                await tts.synthesize()
            await tts.synthesize("Again.")
        assert server.connections[0].headers.get("authorization", "").endswith(KEY)
    _assert_clean(_shown(info.value), caplog, capsys)
