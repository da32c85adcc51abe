"""``specwire demo realtime``: live sessions over the three realtime protocols, offline.

An embedded loopback server speaks OpenAI Realtime, Gemini Live and Qwen-Omni-Realtime;
its "model" echoes, calls a weather tool and recalls the conversation, and its speech
is a reversible stand-in for audio. Each provider runs a spoken turn, a tool-call round
trip and an interruption; Gemini then survives a ``goAway`` by resuming its session,
and OpenAI a dropped connection by re-creating the conversation.
"""

from __future__ import annotations

import asyncio
from typing import Any

# the chat demo's tool: the realtime loopback server answers it the same way
from ._demo import WEATHER_TOOL
from ._testing.realtime_server import Fault, RealtimeLoopbackServer, hear, speech_pcm


def _model(provider: str, server: RealtimeLoopbackServer) -> Any:
    from .credential import DashScopeCredential, GeminiCredential, OpenAICredential
    from .realtime import DashScopeRealtimeModel, GeminiRealtimeModel, OpenAIRealtimeModel

    if provider == "openai":
        return OpenAIRealtimeModel(
            credential=OpenAICredential(api_key="sk-demo", base_url=server.openai_base_url),
            model="gpt-realtime",
        )
    if provider == "gemini":
        return GeminiRealtimeModel(
            credential=GeminiCredential(api_key="demo", base_url=server.gemini_base_url),
            model="gemini-live-2.5-flash-preview",
        )
    return DashScopeRealtimeModel(
        credential=DashScopeCredential(api_key="sk-demo", base_url=server.dashscope_base_url),
        model="qwen3.5-omni-flash-realtime",
    )


# label, provider, input rate, the fault of the first connection
_RUNS = [
    # The connection drops between turns (after the second answer): no resumption.
    ("OpenAI Realtime", "openai", 24000, Fault(drop_at="rate_limits.updated", drop_at_count=2)),
    # The server announces goAway after the second turn: the session resumes.
    ("Gemini Live", "gemini", 16000, Fault(go_away_after_turns=2)),
    (
        "Qwen-Omni-Realtime",
        "dashscope",
        16000,
        Fault(drop_at="rate_limits.updated", drop_at_count=2),
    ),
]


async def _turn(session: Any, label: str, interrupt_after: int | None = None) -> Any:
    """Print one response's events; return its ``ResponseDone``."""
    audio = bytearray()
    deltas = 0
    async for event in session:
        kind = event.type
        if kind == "audio_delta":
            deltas += 1
            audio += event.pcm
            if interrupt_after is not None and deltas == interrupt_after:
                print(f"    [{label}] interrupting after {deltas} audio deltas")
                await session.interrupt(played_ms=deltas * 20)
        elif kind == "input_transcript" and event.final:
            print(f"    [{label}] user said: {event.text!r}")
        elif kind == "tool_call":
            print(f"    [{label}] tool call {event.block.name}({event.block.input})")
        elif kind == "reconnected":
            if event.resumed:
                how = "resumed by the server"
            elif event.restored_items:
                how = f"{event.restored_items} conversation items re-created"
            else:
                how = f"lost: {event.lost}"
            print(f"    [{label}] reconnected ({how}) after: {event.cause}")
        elif kind == "response_done":
            usage = event.response.usage
            text = next((b.text for b in event.response.content if b.type == "text"), "")
            print(
                f"    [{label}] done: {event.finish_reason}; heard {hear(bytes(audio))!r}; "
                f"text {text!r}; tokens in/out {usage.input_tokens}/{usage.output_tokens}"
            )
            return event
    return None


async def _run() -> None:
    for label, provider, rate, fault in _RUNS:
        async with RealtimeLoopbackServer(
            faults=[fault], frame_bytes=16, frame_interval=0.002
        ) as server:
            model = _model(provider, server)
            print(f"\n== {label} ({type(model).__name__}, {model.model})")
            async with model.connect(instructions="Be brief.", tools=[WEATHER_TOOL]) as session:
                print("  a spoken turn (server voice activity detection) and a tool call:")
                await session.send_audio(speech_pcm("what is the weather in Paris", 200, rate))
                done = await _turn(session, label)
                call = next(b for b in done.response.content if b.type == "tool_call")
                await session.send_tool_result(call.id, {"result": "sunny, 21 C"})
                await _turn(session, label)
                print("  an interrupted answer:")
                await session.send_audio(
                    speech_pcm("tell me a long story about dragons", 200, rate)
                )
                await _turn(session, label, interrupt_after=3)
                print("  what the model remembers after the connection was replaced:")
                await session.send_audio(speech_pcm("recall", 200, rate))
                await _turn(session, label)


def main() -> None:
    """Run the realtime demo."""
    asyncio.run(_run())
    print("\nAll three protocols ran offline against the loopback server.")
