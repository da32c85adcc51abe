"""Realtime TTS against the loopback server: lifecycle, wire messages, audio."""

from __future__ import annotations

import asyncio

import pytest

from specwire._testing.tts_server import TTSLoopbackServer, fake_audio
from specwire._tts.response import block_audio
from specwire.errors import AuthenticationError
from specwire.tts import DashScopeCosyVoiceRealtimeTTSModel, DashScopeRealtimeTTSModel
from tests.tts.helpers import PROTOCOLS, audio_of, credential, realtime_model

TEXT = "Hello, how are you today? I am fine. Thanks"
PIECES = ["Hello, ", "how are you today?", " I am fine.", " Thanks"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_pushed_audio_plus_synthesize_is_the_whole_text(protocol: str) -> None:
    async with TTSLoopbackServer() as server:
        tts = realtime_model(protocol, server.base_url)
        collected = b""
        async with tts:
            for piece in PIECES:
                response = await tts.push(piece)
                assert not response.is_last
                collected += block_audio(response.content)
            final = await tts.synthesize()
            collected += await audio_of(final)
        assert collected == fake_audio(TEXT)
        assert len(server.connections) == 1


async def test_first_push_returns_no_audio_yet() -> None:
    async with TTSLoopbackServer() as server:
        tts = realtime_model("qwen", server.base_url)
        async with tts:
            response = await tts.push("Hello there.")
            # push never waits for synthesis: nothing can have come back yet.
            assert response.content is None and not response.is_last
            final = await tts.synthesize()
            assert block_audio(final.content) == fake_audio("Hello there.")


async def test_push_returns_audio_that_arrived_since_the_last_call() -> None:
    async with TTSLoopbackServer() as server:
        tts = realtime_model("qwen", server.base_url)
        async with tts:
            await tts.push("Hello there.")
            for _ in range(100):  # let the server answer the first push
                await asyncio.sleep(0.005)
                if server.connections[0].received and len(server.connections[0].received) >= 3:
                    break
            await asyncio.sleep(0.05)
            second = await tts.push(" More.")
            assert block_audio(second.content) == fake_audio("Hello there.")
            rest = await tts.synthesize()
            assert block_audio(rest.content) == fake_audio(" More.")


async def test_qwen_wire_messages_follow_the_documented_shapes() -> None:
    async with TTSLoopbackServer() as server:
        params = DashScopeRealtimeTTSModel.Parameters(
            voice="Serena", language_type="English", speech_rate=1.2, pitch=0.9
        )
        tts = realtime_model("qwen", server.base_url, parameters=params)
        async with tts:
            await tts.push("Hi. ")
            await tts.synthesize("Bye.")
        log = server.connections[0]
        assert log.path == "/api-ws/v1/realtime"
        assert log.query == "model=qwen3-tts-flash-realtime"
        assert log.headers["authorization"] == "Bearer sk-test-secret"
        update = log.received[0]
        assert update["type"] == "session.update" and update["event_id"]
        assert update["session"] == {
            "mode": "commit",
            "voice": "Serena",
            "language_type": "English",
            "response_format": "pcm",
            "sample_rate": 24000,
            "speech_rate": 1.2,
            "pitch_rate": 0.9,
        }
        kinds = [m["type"] for m in log.received[1:]]
        assert kinds == [
            "input_text_buffer.append",
            "input_text_buffer.commit",
            "input_text_buffer.append",
            "input_text_buffer.commit",
            "session.finish",
        ]
        assert [m["text"] for m in log.received if m["type"] == "input_text_buffer.append"] == [
            "Hi. ",
            "Bye.",
        ]
        assert len({m["event_id"] for m in log.received}) == len(log.received)
        assert tts.media_type == "audio/pcm;rate=24000"


async def test_cosyvoice_wire_messages_follow_the_documented_shapes() -> None:
    async with TTSLoopbackServer() as server:
        params = DashScopeCosyVoiceRealtimeTTSModel.Parameters(
            voice="longanyang", volume=60, speech_rate=1.5
        )
        tts = realtime_model(
            "cosyvoice", server.base_url, parameters=params, model="cosyvoice-v3-plus"
        )
        async with tts:
            await tts.push("你好。")
            result = await tts.synthesize("今天")
            assert result.content is not None
            assert result.content.source.media_type == "audio/mpeg"
        log = server.connections[0]
        assert log.path == "/api-ws/v1/inference"
        assert log.headers["authorization"] == "Bearer sk-test-secret"
        assert log.headers["x-dashscope-datainspection"] == "enable"
        run, *rest = log.received
        task_id = run["header"]["task_id"]
        assert run["header"] == {"action": "run-task", "task_id": task_id, "streaming": "duplex"}
        assert run["payload"] == {
            "task_group": "audio",
            "task": "tts",
            "function": "SpeechSynthesizer",
            "model": "cosyvoice-v3-plus",
            "parameters": {
                "text_type": "PlainText",
                "voice": "longanyang",
                "format": "mp3",
                "sample_rate": 22050,
                "volume": 60,
                "rate": 1.5,
            },
            "input": {},
        }
        # Text queued before task-started leaves in one continue-task once it arrives.
        *continues, finish = rest
        assert {m["header"]["action"] for m in continues} == {"continue-task"}
        assert "".join(m["payload"]["input"]["text"] for m in continues) == "你好。今天"
        assert finish == {
            "header": {"action": "finish-task", "task_id": task_id, "streaming": "duplex"},
            "payload": {"input": {}},
        }
        assert all(m["header"]["task_id"] == task_id for m in rest)


async def test_sambert_sends_its_whole_text_in_run_task() -> None:
    async with TTSLoopbackServer() as server:
        tts = DashScopeCosyVoiceRealtimeTTSModel(
            credential=credential(server.base_url), model="sambert-zhichu-v1", stream=True
        )
        async with tts:
            first = await tts.push("今天天气不错。")
            assert first.content is None  # no streaming input: nothing is sent yet
            audio = await audio_of(await tts.synthesize("我们去公园吧"))
        assert audio == fake_audio("今天天气不错。我们去公园吧")
        (run,) = server.connections[0].received
        assert run["header"]["streaming"] == "out"
        assert run["payload"]["input"] == {"text": "今天天气不错。我们去公园吧"}
        assert "voice" not in run["payload"]["parameters"]
        assert run["payload"]["parameters"]["format"] == "wav"
        assert tts.media_type == "audio/wav"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_several_utterances_share_one_connection(protocol: str) -> None:
    async with TTSLoopbackServer() as server:
        tts = realtime_model(protocol, server.base_url, stream=True)
        async with tts:
            for text in ["First one.", "Second one!", "Third."]:
                first = await tts.push(text[:4])
                audio = block_audio(first.content) + await audio_of(await tts.synthesize(text[4:]))
                assert audio == fake_audio(text)
        assert len(server.connections) == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_synthesize_without_connect_opens_and_closes_the_socket(protocol: str) -> None:
    async with TTSLoopbackServer() as server:
        tts = realtime_model(protocol, server.base_url)
        result = await tts.synthesize("One shot.")
        assert block_audio(result.content) == fake_audio("One shot.")
        assert result.usage is not None and result.usage.characters > 0
        for _ in range(50):
            if server.connections[0].closed:
                break
            await asyncio.sleep(0.01)
        assert server.connections[0].closed


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(("length", "words"), [(12, None), (None, 3), (10, 2)])
async def test_cold_start_holds_back_the_first_send(
    protocol: str, length: int | None, words: int | None
) -> None:
    async with TTSLoopbackServer() as server:
        tts = realtime_model(
            protocol, server.base_url, cold_start_length=length, cold_start_words=words
        )
        async with tts:
            await tts.push("Hi")
            await tts.push(" there")
            await asyncio.sleep(0.02)
            assert not _texts(server), "nothing may be sent before the cold start is met"
            await tts.push(" friend, how")
            await asyncio.sleep(0.02)
            assert _texts(server) == ["Hi there friend, how"]
            await tts.push(" are")
            await asyncio.sleep(0.02)
            assert _texts(server)[-1] == " are", "after the cold start each push is sent at once"
            audio = block_audio((await tts.synthesize()).content)
        assert len(audio) <= len(fake_audio("Hi there friend, how are"))


async def test_synthesize_flushes_text_held_by_the_cold_start() -> None:
    async with TTSLoopbackServer() as server:
        tts = realtime_model("qwen", server.base_url, cold_start_length=1000)
        async with tts:
            await tts.push("Short.")
            assert block_audio((await tts.synthesize()).content) == fake_audio("Short.")


async def test_synthesize_with_nothing_pushed_returns_no_audio() -> None:
    async with TTSLoopbackServer() as server:
        tts = realtime_model("cosyvoice", server.base_url)
        async with tts:
            result = await tts.synthesize()
            assert result.content is None and result.is_last


async def test_whitespace_is_held_back_and_never_sent_alone() -> None:
    async with TTSLoopbackServer() as server:
        tts = realtime_model("qwen", server.base_url)
        async with tts:
            await tts.push("Hello.")
            await tts.push("  ")
            await tts.push("\n")
            await asyncio.sleep(0.02)
            assert _texts(server) == ["Hello."]
            await tts.push("Next")
            await tts.synthesize(" ")
        assert _texts(server) == ["Hello.", "  \nNext"]


async def test_rejected_handshake_raises_a_typed_error() -> None:
    async def refuse(connection: object, request: object) -> object:
        return connection.respond(401, "invalid api key\n")  # type: ignore[attr-defined]

    from websockets.asyncio.server import serve

    async def handler(ws: object) -> None:
        return None

    async with serve(handler, "127.0.0.1", 0, process_request=refuse) as ws_server:
        port = ws_server.sockets[0].getsockname()[1]
        tts = realtime_model("qwen", f"http://127.0.0.1:{port}/api/v1")
        with pytest.raises(AuthenticationError) as info:
            await tts.connect()
        assert info.value.status == 401
        assert "sk-test-secret" not in str(info.value)
        await tts.close()


def _texts(server: TTSLoopbackServer) -> list[str]:
    out = []
    for log in server.connections:
        for message in log.received:
            if message.get("type") == "input_text_buffer.append":
                out.append(message["text"])
            elif message.get("header", {}).get("action") == "continue-task":
                out.append(message["payload"]["input"]["text"])
    return out
