"""Realtime TTS under faults: drops, error events, early closes, delays, cancellation."""

from __future__ import annotations

import asyncio

import pytest

from specwire._testing.tts_server import Fault, TTSLoopbackServer, fake_audio
from specwire._tts.response import block_audio
from specwire.errors import BadRequestError, ProviderError, RateLimitError, StreamBrokenError
from tests.tts.helpers import PROTOCOLS, audio_of, realtime_model, settle_tasks

TEXT = "One fish. Two fish! Red fish? Blue fish."
PIECES = ["One fish.", " Two", " fish!", " Red fish?", " Blue fish."]


async def _speak(tts: object, pieces: list[str], pause: float = 0.0) -> bytes:
    collected = b""
    for piece in pieces:
        collected += block_audio((await tts.push(piece)).content)  # type: ignore[attr-defined]
        if pause:
            await asyncio.sleep(pause)
    return collected + await audio_of(await tts.synthesize())  # type: ignore[attr-defined]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("drop_after", [0, 1, 3, 7, 15, 30])
async def test_a_dropped_socket_loses_and_repeats_no_audio(protocol: str, drop_after: int) -> None:
    async with TTSLoopbackServer(faults=[Fault(drop_after=drop_after)], chunk_size=8) as server:
        tts = realtime_model(protocol, server.base_url)
        async with tts:
            audio = await _speak(tts, PIECES, pause=0.005)
        assert audio == fake_audio(TEXT)
        assert len(server.connections) == 2


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_only_unacknowledged_text_is_sent_again(protocol: str) -> None:
    # The first connection breaks in the middle of the third piece's audio.
    async with TTSLoopbackServer(faults=[Fault(drop_after=40)], chunk_size=8) as server:
        tts = realtime_model(protocol, server.base_url, stream=True)
        async with tts:
            audio = await _speak(tts, PIECES, pause=0.01)
        assert audio == fake_audio(TEXT)
        _, second = (_texts(log) for log in server.connections)
        resent = "".join(second)
        assert resent, "the unfinished text is sent again"
        assert TEXT.endswith(resent.lstrip()) and len(resent) < len(TEXT), (
            f"only the unspoken tail is resent, not {resent!r}"
        )


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_repeated_drops_within_the_retry_budget_recover(protocol: str) -> None:
    faults = [Fault(drop_after=n) for n in (5, 9, 2)]
    async with TTSLoopbackServer(faults=faults, chunk_size=8) as server:
        tts = realtime_model(protocol, server.base_url, max_retries=3)
        async with tts:
            audio = await _speak(tts, PIECES)
        assert audio == fake_audio(TEXT)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_exhausted_retries_raise_stream_broken(protocol: str) -> None:
    faults = [Fault(drop_after=0)] * 4
    async with TTSLoopbackServer(faults=faults) as server:
        tts = realtime_model(protocol, server.base_url, max_retries=2)
        await tts.push("Hello there.")
        with pytest.raises(ProviderError):
            await tts.synthesize()
        assert len(server.connections) == 3  # the first try and two retries
        await tts.close()


async def test_backoff_doubles_the_retry_delay() -> None:
    faults = [Fault(drop_after=0)] * 3
    async with TTSLoopbackServer(faults=faults) as server:
        tts = realtime_model("qwen", server.base_url, max_retries=2, retry_delay=0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(StreamBrokenError):
            await tts.synthesize("Hello.")
        elapsed = loop.time() - started
        # 0.05 then 0.1 (jitter takes off at most a quarter): at least 0.1125 s in all.
        assert elapsed >= 0.11, elapsed


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_clean_close_before_finishing_reconnects(protocol: str) -> None:
    async with TTSLoopbackServer(faults=[Fault(close_on_finish=True)]) as server:
        tts = realtime_model(protocol, server.base_url)
        async with tts:
            audio = await _speak(tts, PIECES)
        assert audio == fake_audio(TEXT)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_close_after_some_messages_reconnects(protocol: str) -> None:
    async with TTSLoopbackServer(faults=[Fault(close_after=6)], chunk_size=8) as server:
        tts = realtime_model(protocol, server.base_url)
        async with tts:
            audio = await _speak(tts, PIECES, pause=0.005)
        assert audio == fake_audio(TEXT)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_refused_request_raises_its_typed_error_without_retrying(protocol: str) -> None:
    fault = Fault(error_after=1, error_code="InvalidParameter", error_message="bad voice")
    async with TTSLoopbackServer(faults=[fault]) as server:
        tts = realtime_model(protocol, server.base_url)
        async with tts:
            await tts.push("Hello there.")
            with pytest.raises(BadRequestError) as info:
                await tts.synthesize()
            assert info.value.code == "InvalidParameter"
            assert info.value.message == "bad voice"
            # The error is raised once; the model is usable again afterwards.
            assert block_audio((await tts.synthesize("Again.")).content) == fake_audio("Again.")
        assert len(server.connections) == 2


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_retryable_error_event_reconnects(protocol: str) -> None:
    fault = Fault(error_after=4, error_code="Throttling", error_message="slow down")
    async with TTSLoopbackServer(faults=[fault], chunk_size=8) as server:
        tts = realtime_model(protocol, server.base_url)
        async with tts:
            audio = await _speak(tts, PIECES, pause=0.005)
        assert audio == fake_audio(TEXT)
        assert len(server.connections) == 2


async def test_throttling_beyond_the_budget_is_a_rate_limit_error() -> None:
    faults = [Fault(error_after=0, error_code="Throttling", error_message="slow down")] * 3
    async with TTSLoopbackServer(faults=faults) as server:
        tts = realtime_model("cosyvoice", server.base_url, max_retries=1)
        with pytest.raises(RateLimitError):
            await tts.synthesize("Hello.")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_slow_servers_are_waited_for(protocol: str) -> None:
    async with TTSLoopbackServer(faults=[Fault(delay=0.002)], chunk_size=16) as server:
        tts = realtime_model(protocol, server.base_url, stream=True)
        async with tts:
            audio = await _speak(tts, PIECES)
        assert audio == fake_audio(TEXT)
        assert len(server.connections) == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_drop_while_idle_reconnects_on_the_next_push(protocol: str) -> None:
    async with TTSLoopbackServer(faults=[Fault(close_on_finish=False, drop_after=99)]) as server:
        tts = realtime_model(protocol, server.base_url)
        async with tts:
            assert block_audio((await tts.synthesize("First.")).content) == fake_audio("First.")
            # The server goes away between utterances.
            for log_ws in list(server._server.connections):  # type: ignore[union-attr]
                log_ws.transport.abort()
            await asyncio.sleep(0.05)
            assert block_audio((await tts.synthesize("Second.")).content) == fake_audio("Second.")
        assert len(server.connections) == 2


# ------------------------------------------------------------------ no leaks
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_cancelled_synthesis_closes_its_socket(protocol: str) -> None:
    keep = set(asyncio.all_tasks())
    async with TTSLoopbackServer(faults=[Fault(delay=0.05)]) as server:
        keep |= set(asyncio.all_tasks())
        tts = realtime_model(protocol, server.base_url)
        await tts.connect()
        await tts.push("A long sentence that takes a while to speak.")
        task = asyncio.create_task(tts.synthesize())
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await settle_tasks(keep) == set()
        assert server.connections[0].closed
        await tts.close()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_an_abandoned_stream_closes_its_socket(protocol: str) -> None:
    keep = set(asyncio.all_tasks())
    async with TTSLoopbackServer(faults=[Fault(delay=0.01)], chunk_size=4) as server:
        keep |= set(asyncio.all_tasks())
        tts = realtime_model(protocol, server.base_url, stream=True)
        async with tts:
            stream = await tts.synthesize("Speak for a good while, please. Thank you.")
            async for chunk in stream:  # type: ignore[union-attr]
                assert chunk.content is not None
                break
            await stream.aclose()  # type: ignore[union-attr]
            assert await settle_tasks(keep) == set()
            assert server.connections[0].closed
            # The model can speak again after it.
            assert await audio_of(await tts.synthesize("Again.")) == fake_audio("Again.")
        assert await settle_tasks(keep) == set()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_leaving_the_context_with_an_error_closes_the_socket(protocol: str) -> None:
    keep = set(asyncio.all_tasks())
    async with TTSLoopbackServer() as server:
        keep |= set(asyncio.all_tasks())
        tts = realtime_model(protocol, server.base_url)
        with pytest.raises(RuntimeError):
            async with tts:
                await tts.push("Half a thought")
                raise RuntimeError("the agent failed")
        assert await settle_tasks(keep) == set()
        assert server.connections[0].closed


async def test_a_cancelled_push_leaves_no_task_behind_after_close() -> None:
    keep = set(asyncio.all_tasks())
    async with TTSLoopbackServer() as server:
        keep |= set(asyncio.all_tasks())
        tts = realtime_model("qwen", server.base_url)
        await tts.push("Hello")  # opens the socket in the background
        await tts.close()
        assert await settle_tasks(keep) == set()


def _texts(log: object) -> list[str]:
    out = []
    for message in log.received:  # type: ignore[attr-defined]
        if message.get("type") == "input_text_buffer.append":
            out.append(message["text"])
        elif message.get("header", {}).get("action") == "continue-task":
            out.append(message["payload"]["input"]["text"])
    return out


@pytest.mark.parametrize("path", ["realtime", "inference"])
async def test_an_unreadable_server_message_raises_stream_broken(path: str) -> None:
    from websockets.asyncio.server import ServerConnection, serve

    async def garbage(ws: ServerConnection) -> None:
        await ws.send("this is not json")
        async for _ in ws:
            pass

    async with serve(garbage, "127.0.0.1", 0) as ws_server:
        port = ws_server.sockets[0].getsockname()[1]
        protocol = "qwen" if path == "realtime" else "cosyvoice"
        tts = realtime_model(protocol, f"http://127.0.0.1:{port}/api/v1", max_retries=1)
        with pytest.raises(StreamBrokenError, match="unreadable server message"):
            await tts.synthesize("Hello.")
