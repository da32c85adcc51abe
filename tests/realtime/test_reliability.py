"""Faults: dropped connections at each phase, resumption (Gemini handles and goAway) and
restoration (OpenAI), refused handshakes, error events and close codes, retries running
out, backpressure, cancellation, and no secret in any log."""

from __future__ import annotations

import asyncio
import logging

import pytest

from specwire._realtime.session import _SendQueue
from specwire._testing.realtime_server import Fault, RealtimeLoopbackServer, hear
from specwire.errors import (
    AuthenticationError,
    BadRequestError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamBrokenError,
)
from specwire.realtime import Reconnected, ResponseDone, SessionClosedError

from .helpers import model_for
from .test_turns import joined_audio, say, until_done

FAST = {"max_retries": 3}


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Reconnect at once: the loopback server is ready again immediately.
    monkeypatch.setattr("specwire._core.retry.RetryPolicy.delay", lambda self, n, e=None: 0.0)


@pytest.mark.parametrize("provider", ["openai", "dashscope", "gemini"])
@pytest.mark.parametrize(
    "phase",
    ["before the session is confirmed", "at the response's start", "in the middle of its audio"],
)
async def test_a_drop_at_each_phase_is_survived(provider: str, phase: str) -> None:
    gemini = provider == "gemini"
    audio_event = {"openai": "response.output_audio.delta", "dashscope": "response.audio.delta"}
    drop_at = {
        "before the session is confirmed": "setupComplete" if gemini else "session.updated",
        "at the response's start": "serverContent" if gemini else "response.created",
        "in the middle of its audio": "serverContent" if gemini else audio_event.get(provider),
    }[phase]
    count = 3 if phase == "in the middle of its audio" else 1
    fault = Fault(drop_at=drop_at, drop_at_count=count)
    async with (
        RealtimeLoopbackServer(faults=[fault], frame_bytes=8) as server,
        model_for(provider, server, **FAST).connect() as session,
    ):
        await say(session, provider, "hello")
        seen = []
        async with asyncio.timeout(10):
            async for event in session:
                seen.append(event)
                if isinstance(event, Reconnected):
                    await say(session, provider, "again")
                if isinstance(event, ResponseDone) and event.finish_reason != "error":
                    break
    assert len(server.connections) == 2
    done = seen[-1]
    assert isinstance(done, ResponseDone) and done.finish_reason == "stop"
    assert done.response.content[-1].text in ("echo: hello", "echo: again")  # type: ignore[union-attr]
    if phase == "before the session is confirmed":
        # The first connection never became a session: no Reconnected, one answer.
        assert not any(isinstance(e, Reconnected) for e in seen)
    else:
        reconnected = [e for e in seen if isinstance(e, Reconnected)]
        assert len(reconnected) == 1 and reconnected[0].attempt == 1
        if phase == "in the middle of its audio":
            cut = [e for e in seen if isinstance(e, ResponseDone) and e.finish_reason == "error"]
            assert len(cut) == 1
            assert isinstance(cut[0].error, StreamBrokenError | type(cut[0].error))
            assert cut[0].response.metadata == {"reconnected": True, "transcript": True}


async def test_openai_reconnect_restores_the_conversation_from_the_record() -> None:
    # The first response completes; the second is cut at its start.
    async with (
        RealtimeLoopbackServer(
            faults=[Fault(drop_at="response.created", drop_at_count=2)]
        ) as server,
        model_for("openai", server, **FAST).connect() as session,
    ):
        await session.send_text("my name is Ada")
        await until_done(session)
        await session.send_text("and I like tea")
        seen = []
        async with asyncio.timeout(10):
            async for event in session:
                seen.append(event)
                if isinstance(event, Reconnected):
                    break
        await session.send_text("recall")
        _, done = await until_done(session)
    reconnected = seen[-1]
    assert isinstance(reconnected, Reconnected) and not reconnected.resumed
    assert reconnected.restored_items == 3  # two user texts and the model's answer
    assert "transcript" in reconnected.lost
    assert done.response.content[-1].text == "You said: my name is Ada | and I like tea"  # type: ignore[union-attr]
    restored = [
        m for m in server.connections[1].received if m["type"] == "conversation.item.create"
    ]
    assert [m["item"]["role"] for m in restored[:3]] == ["user", "assistant", "user"]


async def test_gemini_resumes_with_the_latest_handle_after_a_drop() -> None:
    # The first answer is 5 frames and 2 more messages; drop in the middle of the second.
    fault = Fault(drop_at="serverContent", drop_at_count=10)
    async with (
        RealtimeLoopbackServer(faults=[fault], frame_bytes=8) as server,
        model_for("gemini", server, **FAST).connect() as session,
    ):
        await session.send_text("my name is Ada")
        await until_done(session)
        await session.send_text("tell me a long story about dragons and castles and knights")
        seen = []
        async with asyncio.timeout(10):
            async for event in session:
                seen.append(event)
                if isinstance(event, Reconnected):
                    break
        _, replayed = await until_done(session)  # the text the handle did not cover
        await session.send_text("recall")
        _, done = await until_done(session)
    reconnected = seen[-1]
    assert isinstance(reconnected, Reconnected) and reconnected.resumed
    assert [e.type for e in seen if e.type == "session_ready"][-1:] == ["session_ready"]
    setup = server.connections[1].received[0]["setup"]
    assert setup["sessionResumption"]["handle"].endswith("-1")
    # The server restored its own state; the unanswered text was replayed after it.
    assert replayed.response.content[-1].text.startswith("echo: tell me")  # type: ignore[union-attr]
    said = done.response.content[-1].text  # type: ignore[union-attr]
    assert said.startswith("You said: my name is Ada | tell me a long story")


async def test_gemini_go_away_moves_to_a_new_connection_between_turns() -> None:
    async with (
        RealtimeLoopbackServer(faults=[Fault(go_away_after_turns=1)]) as server,
        model_for("gemini", server, **FAST).connect() as session,
    ):
        await session.send_text("first")
        await until_done(session)
        async with asyncio.timeout(5):
            async for event in session:
                if isinstance(event, Reconnected):
                    break
        assert event.resumed and "goAway" in event.cause  # type: ignore[union-attr]
        await session.send_text("recall")
        _, done = await until_done(session)
    assert len(server.connections) == 2
    assert done.response.content[-1].text == "You said: first"  # type: ignore[union-attr]


async def test_a_refused_handshake_raises_its_typed_error_without_retrying() -> None:
    async with RealtimeLoopbackServer(faults=[Fault(reject_status=401)]) as server:
        with pytest.raises(AuthenticationError) as caught:
            async with model_for("openai", server, **FAST).connect():
                pass
    assert server.attempts == 1
    assert caught.value.status == 401 and "sk-test-secret" not in str(caught.value)


async def test_a_throttled_handshake_is_retried() -> None:
    faults = [Fault(reject_status=429), Fault(reject_status=503)]
    async with (
        RealtimeLoopbackServer(faults=faults) as server,
        model_for("dashscope", server, **FAST).connect() as session,
    ):
        assert not session.closed
    assert server.attempts == 3


async def test_retries_run_out_and_the_session_fails_with_the_cause() -> None:
    drops = [Fault(drop_at="response.created")] + [Fault(reject_status=503)] * 5
    async with (
        RealtimeLoopbackServer(faults=drops) as server,
        model_for("openai", server, max_retries=2).connect() as session,
    ):
        await session.send_text("hello")
        with pytest.raises(ServerError):
            async with asyncio.timeout(10):
                async for _ in session:
                    pass
        with pytest.raises(SessionClosedError):
            await session.send_text("more")
    assert server.attempts == 3  # the first connection, then two retries


async def test_an_error_event_is_reported_and_the_session_goes_on() -> None:
    fault = Fault(error_at="response.created", error_code="server_error", error_message="boom")
    async with (
        RealtimeLoopbackServer(faults=[fault]) as server,
        model_for("openai", server).connect() as session,
    ):
        await session.send_text("hello")
        events, done = await until_done(session)
    errors = [e for e in events if e.type == "error"]
    assert len(errors) == 1
    assert isinstance(errors[0].error, ServerError)  # type: ignore[union-attr]
    assert errors[0].error.code == "server_error" and errors[0].error.message == "boom"  # type: ignore[union-attr]
    assert done.finish_reason == "stop"


@pytest.mark.parametrize("provider", ["openai", "dashscope", "gemini"])
async def test_a_session_the_server_refuses_to_configure_raises(provider: str) -> None:
    async with RealtimeLoopbackServer(faults=[Fault(refuse_config=True)] * 4) as server:
        with pytest.raises(BadRequestError) as caught:
            async with model_for(provider, server, **FAST).connect():
                pass
    assert server.attempts == 1  # a refusal is not retried
    if provider != "gemini":
        assert caught.value.code == "invalid_value"


async def test_close_codes_map_to_typed_errors() -> None:
    fault = Fault(drop_at="serverContent", close_code=1008, close_reason="API key not valid")
    async with (
        RealtimeLoopbackServer(faults=[fault]) as server,
        model_for("gemini", server, **FAST).connect() as session,
    ):
        await session.send_text("hello")
        with pytest.raises(AuthenticationError):
            async with asyncio.timeout(5):
                async for _ in session:
                    pass
    assert server.attempts == 1  # refusals are not retried
    fault = Fault(drop_at="serverContent", close_code=1008, close_reason="policy")
    async with (
        RealtimeLoopbackServer(faults=[fault]) as server,
        model_for("gemini", server, **FAST).connect() as session,
    ):
        await session.send_text("hello")
        with pytest.raises(PermissionDeniedError):
            async with asyncio.timeout(5):
                async for _ in session:
                    pass
    fault = Fault(drop_at="serverContent", close_code=1011, close_reason="quota exceeded")
    async with (
        RealtimeLoopbackServer(faults=[fault, Fault(reject_status=429)] * 3) as server,
        model_for("gemini", server, max_retries=1).connect() as session,
    ):
        await session.send_text("hello")
        with pytest.raises(RateLimitError):
            async with asyncio.timeout(5):
                async for _ in session:
                    pass


async def test_a_server_that_never_confirms_times_out() -> None:
    async with RealtimeLoopbackServer(faults=[Fault(silent=True)]) as server:
        model = model_for("openai", server, max_retries=0, open_timeout=0.3)
        with pytest.raises(Exception) as caught:
            async with model.connect():
                pass
    assert type(caught.value).__name__ == "APITimeoutError"


async def test_send_queue_applies_backpressure_and_lets_interrupts_jump_it() -> None:
    queue = _SendQueue(maxsize=2)
    await queue.put(b"a")
    await queue.put(b"b")
    blocked = asyncio.create_task(queue.put(b"c"))
    await asyncio.sleep(0.01)
    assert not blocked.done()  # full: the producer waits
    queue.put_front([b"cancel"])
    assert await queue.get() == b"cancel"
    queue.sent()
    assert await queue.get() == b"a"
    queue.sent()
    await asyncio.wait_for(blocked, 1)
    assert [await queue.get(), await queue.get()] == [b"b", b"c"]
    queue.sent()
    assert not queue.drained.is_set()
    queue.sent()
    assert queue.drained.is_set()


async def test_audio_queued_during_a_reconnect_goes_out_on_the_new_connection() -> None:
    from specwire._testing.realtime_server import speech_pcm

    fault = Fault(drop_at="response.created")
    async with RealtimeLoopbackServer(faults=[fault, Fault(delay=0.05)]) as server:
        model = model_for("openai", server, send_queue_size=8)
        async with model.connect(turn_detection=False) as session:
            await session.send_text("hello")
            async with asyncio.timeout(10):
                async for event in session:
                    if isinstance(event, Reconnected):
                        break
            for piece in ("one ", "two ", "three"):
                await session.send_audio(speech_pcm(piece))
            await session.commit()
            events, _done = await until_done(session)
    assert hear(joined_audio(events)) == "echo: one two three"


async def test_cancelling_the_task_closes_the_socket() -> None:
    async with RealtimeLoopbackServer(frame_interval=0.05) as server:
        model = model_for("openai", server)
        started = asyncio.Event()

        async def talk() -> None:
            async with model.connect() as session:
                await session.send_text("a long answer please with many many words")
                async for event in session:
                    if event.type == "audio_delta":
                        started.set()

        task = asyncio.create_task(talk())
        await asyncio.wait_for(started.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with asyncio.timeout(2):
            while not server.connections[0].closed:  # noqa: ASYNC110 (a log flag, no event)
                await asyncio.sleep(0.01)


async def test_input_is_checked() -> None:
    async with RealtimeLoopbackServer() as server:
        openai = model_for("openai", server)
        with pytest.raises(ValueError, match="24000"):
            openai.connect(input_sample_rate=16000)
        with pytest.raises(ValueError, match="output_modalities"):
            openai.connect(output_modalities=["video"])
        with pytest.raises(TypeError, match="temperature"):
            openai.connect(temperature=0.5)
        with pytest.raises(Exception, match="less than or equal"):
            openai.connect(speed=9)
        async with openai.connect() as session:
            with pytest.raises(ValueError, match="even"):
                await session.send_audio(b"\x00")
            with pytest.raises(ValueError):
                await session.send_text("")
        with pytest.raises(SessionClosedError):
            await session.send_text("after close")
        async with model_for("dashscope", server).connect() as ds:
            with pytest.raises(ValueError, match="no text input"):
                await ds.send_text("hello")


async def test_no_secret_reaches_any_log_or_repr(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("websockets", "websockets.client", "specwire.websocket"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    faults = [Fault(drop_at="response.created"), Fault(reject_status=401)]
    async with RealtimeLoopbackServer(faults=faults) as server:
        model = model_for("openai", server, max_retries=1)
        async with model.connect() as session:
            await session.send_text("hello")
            with pytest.raises(AuthenticationError) as caught:
                async for _ in session:
                    pass
        client = [
            r.getMessage() for r in caplog.records if not r.name.startswith("websockets.server")
        ]
        text = "\n".join(
            [*client, repr(model), repr(session), repr(model.credential), str(caught.value)]
        )
    assert "sk-test-secret" not in text
    # The capture works: the loopback server's own (library default) logger printed it.
    server_side = [r.getMessage() for r in caplog.records if r.name.startswith("websockets.server")]
    assert any("sk-test-secret" in line for line in server_side)


async def test_keep_alive_pings_run_while_the_session_is_idle() -> None:
    async with RealtimeLoopbackServer() as server:
        model = model_for("openai", server, ping_interval=0.05)
        async with model.connect() as session:
            ws = session._ws
            assert ws is not None and ws.latency == 0  # no pong yet
            await asyncio.sleep(0.3)
            assert ws.latency > 0  # a ping went out and its pong came back


async def test_transparent_resumption_replays_only_what_the_server_did_not_consume() -> None:
    import dataclasses

    from specwire.realtime import GeminiRealtimeModel

    binding = GeminiRealtimeModel.binding
    endpoint = dataclasses.replace(
        binding.endpoint, options={**binding.endpoint.options, "transparent_resumption": True}
    )

    class TransparentGemini(GeminiRealtimeModel):
        binding = dataclasses.replace(GeminiRealtimeModel.binding, endpoint=endpoint)

    fault = Fault(drop_at="serverContent", drop_at_count=10)
    async with RealtimeLoopbackServer(faults=[fault], frame_bytes=8) as server:
        model = TransparentGemini(credential=model_for("gemini", server).credential, model="m")
        async with model.connect(max_output_tokens=50) as session:
            await session.send_text("my name is Ada")
            await until_done(session)
            await session.send_text("tell me a long story about dragons and castles and knights")
            async with asyncio.timeout(10):
                async for event in session:
                    if isinstance(event, Reconnected):
                        break
            _, replayed = await until_done(session)
    setup = server.connections[1].received[0]["setup"]
    assert setup["sessionResumption"] == {
        "handle": setup["sessionResumption"]["handle"],
        "transparent": True,
    }
    # The server reported consuming up to the first text: only the second is replayed.
    replay = [m for m in server.connections[1].received[1:] if "clientContent" in m]
    assert [m["clientContent"]["turns"][0]["parts"][0]["text"] for m in replay] == [
        "tell me a long story about dragons and castles and knights"
    ]
    assert replayed.response.content[-1].text.startswith("echo: tell me")  # type: ignore[union-attr]
