"""Realtime sessions against the loopback server: text and audio turns, manual and server
turn detection, tool calls with results sent back, interruption, usage and the wire
messages each protocol sends."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest

from specwire._testing.realtime_server import RealtimeLoopbackServer, hear, speech_pcm
from specwire.realtime import (
    AudioDelta,
    RealtimeEvent,
    RealtimeSession,
    ResponseDone,
    TextDelta,
    ToolCall,
    TranscriptDelta,
)

from .helpers import INPUT_RATES, model_for

TEXT_PROVIDERS = ["openai", "gemini"]  # DashScope's realtime protocol takes no text input
ALL = ["openai", "gemini", "dashscope"]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


async def until_done(session: RealtimeSession) -> tuple[list[RealtimeEvent], ResponseDone]:
    """Events up to and including the next ``ResponseDone``."""
    seen: list[RealtimeEvent] = []
    async with asyncio.timeout(10):
        async for event in session:
            seen.append(event)
            if isinstance(event, ResponseDone):
                return seen, event
    raise AssertionError(f"the session ended before a response was done: {seen}")


def joined_audio(events: list[RealtimeEvent]) -> bytes:
    return b"".join(e.pcm for e in events if isinstance(e, AudioDelta))


async def say(session: RealtimeSession, provider: str, text: str) -> None:
    """A user turn: text where the protocol takes it, else speech ending in silence."""
    if provider == "dashscope":
        await session.send_audio(speech_pcm(text, silence_ms=200, rate=INPUT_RATES[provider]))
    else:
        await session.send_text(text)


@pytest.mark.parametrize("provider", ALL)
async def test_a_turn_streams_audio_and_transcript_and_ends_with_the_whole_response(
    provider: str,
) -> None:
    async with (
        RealtimeLoopbackServer() as server,
        model_for(provider, server).connect(instructions="Be brief.") as session,
    ):
        await say(session, provider, "hello there")
        events, done = await until_done(session)
    reply = "echo: hello there"
    audio = joined_audio(events)
    assert hear(audio) == reply and audio == server.audio_for(reply)
    transcript = "".join(e.block.text for e in events if isinstance(e, TranscriptDelta))
    assert transcript == reply
    assert done.finish_reason == "stop"
    texts = [b for b in done.response.content if b.type == "text"]
    datas = [b for b in done.response.content if b.type == "data"]
    assert [t.text for t in texts] == [reply]
    assert done.response.metadata and done.response.metadata["transcript"] is True
    assert base64.b64decode(datas[0].source.data) == audio  # type: ignore[union-attr]
    assert datas[0].source.media_type == "audio/pcm;rate=24000"
    # Deltas carry the id of the block they extend.
    assert {e.block.id for e in events if isinstance(e, AudioDelta)} == {datas[0].id}
    assert {e.block.id for e in events if isinstance(e, TranscriptDelta)} == {texts[0].id}
    # Usage is the provider's figure, once.
    assert done.response.usage is not None
    assert (done.response.usage.input_tokens, done.response.usage.output_tokens) == (
        server.usage_sent[-1]
    )


@pytest.mark.parametrize("provider", TEXT_PROVIDERS)
async def test_text_output_comes_as_text_deltas(provider: str) -> None:
    async with RealtimeLoopbackServer() as server:
        model = model_for(provider, server)
        async with model.connect(output_modalities=["text"]) as session:
            await session.send_text("one two three")
            events, done = await until_done(session)
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert "".join(d.block.text for d in deltas) == "echo: one two three"
    assert len(deltas) > 1 and not joined_audio(events)
    assert [b.type for b in done.response.content] == ["text"]
    assert not (done.response.metadata or {}).get("transcript")
    first = server.connections[0].received[0]
    if provider == "openai":
        assert first["session"]["output_modalities"] == ["text"]
    else:
        assert first["setup"]["generationConfig"]["responseModalities"] == ["TEXT"]


@pytest.mark.parametrize("provider", ALL)
async def test_speech_with_server_turn_detection_is_transcribed_and_answered(
    provider: str,
) -> None:
    async with RealtimeLoopbackServer() as server, model_for(provider, server).connect() as session:
        speech = speech_pcm("what time is it", silence_ms=200, rate=INPUT_RATES[provider])
        for i in range(0, len(speech), 640):  # 20 ms frames at 16 kHz
            await session.send_audio(speech[i : i + 640])
        events, done = await until_done(session)
    heard = [e.text for e in events if e.type == "input_transcript" and e.final]
    assert heard == ["what time is it"]
    assert done.finish_reason == "stop"
    assert hear(joined_audio(events)) == "echo: what time is it"
    if provider != "gemini":
        kinds = [e.type for e in events if e.type != "session_ready"]
        assert kinds[:2] == ["speech_started", "speech_stopped"]


@pytest.mark.parametrize("provider", ALL)
async def test_manual_turns_are_committed_by_the_caller(provider: str) -> None:
    async with (
        RealtimeLoopbackServer() as server,
        model_for(provider, server).connect(turn_detection=False) as session,
    ):
        await session.send_audio(speech_pcm("first part ", rate=INPUT_RATES[provider]))
        await session.send_audio(speech_pcm("and the rest", rate=INPUT_RATES[provider]))
        await session.commit()
        events, _done = await until_done(session)
    assert hear(joined_audio(events)) == "echo: first part and the rest"
    sent = server.connections[0].received
    kinds = [m.get("type") or next(iter(m)) for m in sent]
    if provider == "gemini":
        setup = sent[0]["setup"]
        assert setup["realtimeInputConfig"]["automaticActivityDetection"] == {"disabled": True}
        starts = [m for m in sent if "activityStart" in m.get("realtimeInput", {})]
        ends = [m for m in sent if "activityEnd" in m.get("realtimeInput", {})]
        assert len(starts) == 1 and len(ends) == 1
    else:
        assert kinds[-2:] == ["input_audio_buffer.commit", "response.create"]
        session_cfg = sent[0]["session"]
        detection = (
            session_cfg["turn_detection"]
            if provider == "dashscope"
            else session_cfg["audio"]["input"]["turn_detection"]
        )
        assert detection is None


@pytest.mark.parametrize("provider", ALL)
async def test_tool_calls_arrive_complete_and_their_results_go_back(provider: str) -> None:
    async with RealtimeLoopbackServer() as server:
        model = model_for(provider, server)
        async with model.connect(tools=[WEATHER], tool_choice="auto") as session:
            await say(session, provider, "what is the weather in Paris?")
            events, done = await until_done(session)
            calls = [e for e in events if isinstance(e, ToolCall)]
            assert len(calls) == 1
            call = calls[0].block
            assert call.name == "get_weather" and json.loads(call.input) == {"city": "Paris"}
            assert done.finish_reason == "tool_calls"
            assert [b.type for b in done.response.content] == ["tool_call"]
            await session.send_tool_result(call.id, {"result": "sunny, 21 C"})
            events, done = await until_done(session)
    assert hear(joined_audio(events)).startswith("The weather is ")
    assert "sunny, 21 C" in done.response.content[-1].text  # type: ignore[union-attr]
    sent = server.connections[0].received
    if provider == "gemini":
        tools = sent[0]["setup"]["tools"][0]["functionDeclarations"]
        assert tools[0]["name"] == "get_weather"
        reply = next(m for m in sent if "toolResponse" in m)["toolResponse"]
        assert reply["functionResponses"][0]["id"] == call.id
        assert reply["functionResponses"][0]["name"] == "get_weather"
    else:
        tools = sent[0]["session"]["tools"]
        shape = tools[0]["function"] if provider == "dashscope" else tools[0]
        assert shape["name"] == "get_weather"
        items = [m["item"] for m in sent if m.get("type") == "conversation.item.create"]
        assert items[-1] == {
            "type": "function_call_output",
            "call_id": call.id,
            "output": '{"result":"sunny, 21 C"}',
        }


@pytest.mark.parametrize("provider", ["openai", "dashscope"])
async def test_interrupt_cancels_the_response_and_drops_its_late_audio(provider: str) -> None:
    async with (
        RealtimeLoopbackServer(frame_bytes=8, frame_interval=0.01) as server,
        model_for(provider, server).connect() as session,
    ):
        await say(session, provider, "tell me a long story about dragons and castles")
        deltas = 0
        async with asyncio.timeout(10):
            async for event in session:
                if isinstance(event, AudioDelta):
                    deltas += 1
                    if deltas == 2:
                        await session.interrupt(played_ms=40)
                if isinstance(event, ResponseDone):
                    done = event
                    break
    assert deltas == 2  # nothing after the interrupt reached the caller
    assert done.finish_reason == "interrupted"
    assert done.provider_finish_reason == "client_cancelled"
    sent = server.connections[0].received
    cancel = next(i for i, m in enumerate(sent) if m.get("type") == "response.cancel")
    truncate = sent[cancel + 1]
    assert truncate["type"] == "conversation.item.truncate"
    assert truncate["audio_end_ms"] == 40 and truncate["item_id"]


async def test_gemini_interrupt_with_manual_activity_sends_activity_start() -> None:
    async with RealtimeLoopbackServer(frame_bytes=8, frame_interval=0.01) as server:
        model = model_for("gemini", server)
        async with model.connect(turn_detection=False) as session:
            await session.send_text("tell me a long story about dragons and castles")
            deltas = 0
            async with asyncio.timeout(10):
                async for event in session:
                    if isinstance(event, AudioDelta):
                        deltas += 1
                        if deltas == 2:
                            await session.interrupt()
                    if isinstance(event, ResponseDone):
                        done = event
                        break
    assert deltas == 2 and done.finish_reason == "interrupted"
    assert any(
        "activityStart" in m.get("realtimeInput", {}) for m in server.connections[0].received
    )


async def test_keep_audio_false_leaves_audio_out_of_the_final_response() -> None:
    async with (
        RealtimeLoopbackServer() as server,
        model_for("openai", server).connect(keep_audio=False) as session,
    ):
        await session.send_text("hello")
        events, done = await until_done(session)
    assert joined_audio(events)
    assert [b.type for b in done.response.content] == ["text"]


async def test_parameters_and_settings_reach_the_wire() -> None:
    async with RealtimeLoopbackServer() as server:
        openai = model_for("openai", server)
        async with openai.connect(voice="cedar", max_output_tokens=300, speed=1.2) as session:
            await session.send_text("hi")
            await until_done(session)
        gemini = model_for("gemini", server)
        async with gemini.connect(
            instructions="Be kind.", temperature=0.3, language_code="en-US"
        ) as s:
            await s.send_text("hi")
            await until_done(s)
    session_cfg = server.connections[0].received[0]["session"]
    assert session_cfg["type"] == "realtime"
    assert session_cfg["max_output_tokens"] == 300
    assert session_cfg["audio"]["output"] == {
        "format": {"type": "audio/pcm", "rate": 24000},
        "voice": "cedar",
        "speed": 1.2,
    }
    assert server.connections[0].query == {"model": "gpt-realtime"}
    assert server.connections[0].headers["authorization"] == "Bearer sk-test-secret"
    setup = server.connections[1].received[0]["setup"]
    assert setup["model"] == "models/gemini-live-2.5-flash-preview"
    assert setup["generationConfig"]["temperature"] == 0.3
    assert setup["generationConfig"]["speechConfig"] == {
        "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Puck"}},
        "languageCode": "en-US",
    }
    assert setup["systemInstruction"] == {"parts": [{"text": "Be kind."}]}
    assert setup["contextWindowCompression"] == {"slidingWindow": {}}
    assert server.connections[1].headers["x-goog-api-key"] == "AIza-test-secret"


async def test_rate_limits_are_reported() -> None:
    async with RealtimeLoopbackServer() as server, model_for("openai", server).connect() as session:
        await session.send_text("hi")
        await until_done(session)
        async with asyncio.timeout(5):
            event = await anext(aiter(session))
    assert event.type == "rate_limits"
    assert event.limits[0]["name"] == "tokens"  # type: ignore[union-attr]


@pytest.mark.parametrize("manual", [True, False])
async def test_gemini_withdraws_a_tool_call_the_user_talked_over(manual: bool) -> None:
    from specwire.realtime import ToolCallCancelled

    async with RealtimeLoopbackServer() as server:
        model = model_for("gemini", server)
        async with model.connect(tools=[WEATHER], turn_detection=not manual) as session:
            await session.send_text("what is the weather in Oslo")
            events, _ = await until_done(session)
            call = next(e for e in events if isinstance(e, ToolCall)).block
            if manual:
                await session.interrupt()  # activityStart: the user barges in
            else:
                await session.send_audio(speech_pcm("never mind", rate=16000))
            async with asyncio.timeout(5):
                async for event in session:
                    if isinstance(event, ToolCallCancelled):
                        break
    assert event.ids == (call.id,)


async def test_audio_sent_from_another_task_while_iterating() -> None:
    speech = speech_pcm("streamed from a microphone task", silence_ms=200)
    async with RealtimeLoopbackServer() as server, model_for("openai", server).connect() as session:

        async def microphone() -> None:
            for i in range(0, len(speech), 960):  # 20 ms frames
                await session.send_audio(speech[i : i + 960])
                await asyncio.sleep(0)

        task = asyncio.create_task(microphone())
        events, done = await until_done(session)
        await task
    assert hear(joined_audio(events)) == "echo: streamed from a microphone task"
    assert done.finish_reason == "stop"
