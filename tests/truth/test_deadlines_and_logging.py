"""A call's total deadline covers every attempt, retry wait and read; the ``specwire``
logger reports each attempt, retry (delay and reason) and final failure, without
secrets or message bodies."""

from __future__ import annotations

import dataclasses
import logging
import time

import pytest

from specwire._testing import LoopbackServer, Reply
from specwire.credential import OpenAICredential
from specwire.errors import APITimeoutError, ServerError
from specwire.message import UserMsg
from specwire.model import ChatResponse, OpenAIChatModel

from .dialects import CASES

KEY = "sk-deadline-test-key"
PROMPT = "the-private-prompt-text"
ASK = [UserMsg(name="user", content=PROMPT)]
OK = Reply.json(CASES[0].whole("stop"))


def _model(url: str, **kwargs: object) -> OpenAIChatModel:
    model = OpenAIChatModel(
        credential=OpenAICredential(api_key=KEY, base_url=url), model="gpt-4o", **kwargs
    )  # type: ignore[arg-type]
    model._retry = dataclasses.replace(model._retry, initial_delay=0.01, max_delay=0.02)
    return model


async def test_a_server_stalling_after_its_headers_is_cut_at_the_deadline() -> None:
    stall = Reply(body=[b"{}"], delay=30)  # headers at once, the body never in time
    async with LoopbackServer([stall]) as server:
        model = _model(server.url, stream=False, max_retries=3, timeout=600, deadline=1.5)
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match=r"deadline of 1\.5 s"):
            await model(ASK)
        assert time.monotonic() - started < 5.0  # the stall itself is 30 s
        assert len(server.requests) == 1


async def test_a_stalled_stream_is_cut_at_the_deadline() -> None:
    # every piece waits 0.4 s: the first delta arrives, the deadline passes mid-stream
    reply = Reply(body=CASES[0].events("stop", True), content_type="text/event-stream", delay=0.5)
    async with LoopbackServer([reply]) as server:
        model = _model(server.url, stream=True, max_retries=0, timeout=600, deadline=1.2)
        started = time.monotonic()
        result = await model(ASK)
        assert not isinstance(result, ChatResponse)
        got = []
        with pytest.raises(APITimeoutError, match="deadline"):
            async for chunk in result:
                got.append(chunk)
        assert not any(c.is_last for c in got)
        assert time.monotonic() - started < 4.0  # the whole stream would take 2 s


async def test_no_retry_starts_once_the_deadline_leaves_no_time_for_it() -> None:
    busy = Reply.json({"error": {"message": "busy"}}, status=503, headers={"retry-after": "5"})
    async with LoopbackServer([busy]) as server:
        model = _model(server.url, stream=False, max_retries=5, deadline=1.0)
        started = time.monotonic()
        with pytest.raises(ServerError) as info:
            await model(ASK)
        assert time.monotonic() - started < 3.0  # a retry would wait 5 s
        assert len(server.requests) == 1
        assert any("deadline" in note for note in getattr(info.value, "__notes__", []))


async def test_a_per_call_deadline_overrides_the_model_default() -> None:
    async with LoopbackServer([Reply(body=[b"{}"], delay=30)]) as server:
        model = _model(server.url, stream=False, max_retries=0)
        assert model.deadline == 1800.0  # the documented default
        with pytest.raises(APITimeoutError):
            await model(ASK, deadline=0.3)
        assert "deadline" not in server.requests[0].json()  # not sent as a body field


async def test_each_attempt_retry_and_the_final_failure_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="specwire")
    bad = Reply.json({"error": {"message": f"upstream {PROMPT}", "code": "overloaded"}}, status=502)
    async with LoopbackServer([bad]) as server:
        model = _model(server.url, stream=False, max_retries=3)
        with pytest.raises(ServerError):
            await model(ASK)
    lines = [r.getMessage() for r in caplog.records if r.name == "specwire"]
    attempts = [line for line in lines if line.endswith(tuple(f"attempt {n}" for n in range(1, 5)))]
    retries = [line for line in lines if "retrying in" in line]
    failures = [r for r in caplog.records if "failed after 4 attempt(s)" in r.getMessage()]
    assert len(attempts) == 4, lines
    assert len(retries) == 3 and all("ServerError status=502 code=overloaded" in r for r in retries)
    assert len(failures) == 1 and failures[0].levelno == logging.INFO
    assert all(PROMPT not in line and KEY not in line for line in lines), "no body, no key"


async def test_bodies_are_logged_only_when_asked(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECWIRE_LOG_BODIES", "1")
    caplog.set_level(logging.DEBUG, logger="specwire")
    async with LoopbackServer([OK]) as server:
        await _model(server.url, stream=False)(ASK)
    lines = [r.getMessage() for r in caplog.records if r.name == "specwire"]
    assert any(PROMPT in line for line in lines)
    assert all(KEY not in line for line in lines)
