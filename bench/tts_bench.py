"""Realtime TTS overhead against a raw ``websockets`` client, on one loopback server.

The server (``specwire._testing.tts_server``) runs in a child process, so client and
server do not share an interpreter. For each protocol (Qwen-TTS realtime, CosyVoice
duplex), interleaved rounds:

- first audio: an open socket, then the time from the first ``push`` to the first
  audio delta (specwire: ``push`` then the first chunk of ``synthesize(stream=True)``;
  raw: start the task where the protocol needs one, send the text, read until the
  first audio message, decode it);
- per message: one utterance of many pushes; total time until all audio is in, divided
  by the server messages received (raw: send every piece, read and decode every message
  until the utterance ends).

Best of several interleaved rounds is kept. Prints both, the ratio (target <= 1.2x) and whether the audio matched. ``--check``
exits 1 when a ratio is over target. The default run takes well under 30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from specwire._testing.tts_server import TTSLoopbackServer, fake_audio
from specwire._tts.response import block_audio
from specwire.credential import DashScopeCredential
from specwire.tts import DashScopeCosyVoiceRealtimeTTSModel, DashScopeRealtimeTTSModel

TARGET = 1.2
WORDS = [f"word{i % 50}{'.' if i % 12 == 11 else ','}" for i in range(600)]


# ---------------------------------------------------------------- the server process
def serve(chunk_size: int) -> None:
    """Child process: run the loopback server, print its port, stop on stdin EOF."""

    async def main() -> None:
        async with TTSLoopbackServer(chunk_size=chunk_size) as server:
            print(server.port, flush=True)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, sys.stdin.read)

    asyncio.run(main())


class ServerProcess:
    def __init__(self, chunk_size: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--chunk-size", str(chunk_size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.base_url = f"http://127.0.0.1:{self.port}/api/v1"

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


# ---------------------------------------------------------------- raw clients
class RawQwen:
    """The least a client must do: send events, read and decode every message."""

    def __init__(self, port: int) -> None:
        self.url = f"ws://127.0.0.1:{port}/api-ws/v1/realtime?model=qwen3-tts-flash-realtime"

    async def open(self) -> ClientConnection:
        ws = await connect(
            self.url, additional_headers={"Authorization": "Bearer sk-bench"}, compression=None
        )
        session = {
            "mode": "commit",
            "voice": "Cherry",
            "response_format": "pcm",
            "sample_rate": 24000,
        }
        await ws.send(json.dumps({"event_id": "e0", "type": "session.update", "session": session}))
        return ws

    async def speak(self, ws: ClientConnection, pieces: list[str]) -> tuple[bytes, int, float]:
        t0 = time.perf_counter()
        for piece in pieces:
            await ws.send(
                json.dumps(
                    {
                        "event_id": uuid.uuid4().hex,
                        "type": "input_text_buffer.append",
                        "text": piece,
                    }
                )
            )
            await ws.send(
                json.dumps({"event_id": uuid.uuid4().hex, "type": "input_text_buffer.commit"})
            )
        audio: list[bytes] = []
        first = 0.0
        messages = 0
        done = 0
        while done < len(pieces):
            event = json.loads(await ws.recv())
            messages += 1
            kind = event["type"]
            if kind == "response.audio.delta":
                audio.append(base64.b64decode(event["delta"]))
                if not first:
                    first = time.perf_counter() - t0
            elif kind == "response.done":
                done += 1
        return b"".join(audio), messages, first


class RawCosyVoice:
    def __init__(self, port: int) -> None:
        self.url = f"ws://127.0.0.1:{port}/api-ws/v1/inference"
        self.header: dict[str, str] = {}

    async def open(self) -> ClientConnection:
        ws = await connect(
            self.url, additional_headers={"Authorization": "Bearer sk-bench"}, compression=None
        )
        self.header = {"task_id": str(uuid.uuid4()), "streaming": "duplex"}
        parameters = {
            "text_type": "PlainText",
            "voice": "longanyang",
            "format": "mp3",
            "sample_rate": 22050,
        }
        run = {
            "header": {"action": "run-task", **self.header},
            "payload": {
                "task_group": "audio",
                "task": "tts",
                "function": "SpeechSynthesizer",
                "model": "cosyvoice-v3-flash",
                "parameters": parameters,
                "input": {},
            },
        }
        await ws.send(json.dumps(run))
        while json.loads(await ws.recv())["header"]["event"] != "task-started":
            pass
        return ws

    async def speak(self, ws: ClientConnection, pieces: list[str]) -> tuple[bytes, int, float]:
        t0 = time.perf_counter()
        for piece in pieces:
            continue_task = {
                "header": {"action": "continue-task", **self.header},
                "payload": {"input": {"text": piece}},
            }
            await ws.send(json.dumps(continue_task))
        finish = {"header": {"action": "finish-task", **self.header}, "payload": {"input": {}}}
        await ws.send(json.dumps(finish))
        audio: list[bytes] = []
        first = 0.0
        messages = 0
        while True:
            message = await ws.recv()
            messages += 1
            if isinstance(message, bytes):
                audio.append(message)
                if not first:
                    first = time.perf_counter() - t0
                continue
            if json.loads(message)["header"]["event"] == "task-finished":
                break
        return b"".join(audio), messages, first


# ---------------------------------------------------------------- specwire clients
def specwire_model(protocol: str, base_url: str) -> Any:
    credential = DashScopeCredential(api_key="sk-bench", base_url=base_url)
    if protocol == "qwen":
        return DashScopeRealtimeTTSModel(
            credential=credential, model="qwen3-tts-flash-realtime", stream=True
        )
    return DashScopeCosyVoiceRealtimeTTSModel(
        credential=credential,
        model="cosyvoice-v3-flash",
        parameters=DashScopeCosyVoiceRealtimeTTSModel.Parameters(voice="longanyang"),
        stream=True,
    )


async def specwire_first_audio(tts: Any, text: str) -> float:
    t0 = time.perf_counter()
    await tts.push(text)
    stream = await tts.synthesize()
    first = 0.0
    async for chunk in stream:
        if chunk.content is not None and not first:
            first = time.perf_counter() - t0
    return first


async def specwire_utterance(tts: Any, pieces: list[str]) -> tuple[bytes, float]:
    t0 = time.perf_counter()
    audio: list[bytes] = []
    for piece in pieces:
        audio.append(block_audio((await tts.push(piece)).content))
    stream = await tts.synthesize()
    async for chunk in stream:
        if not chunk.is_last:
            audio.append(block_audio(chunk.content))
    return b"".join(audio), time.perf_counter() - t0


# ---------------------------------------------------------------- rounds
async def rounds(n: int, *runs: Callable[[], Awaitable[float]]) -> list[float]:
    """Best of ``n`` interleaved rounds of each run (the least disturbed by other load on
    the machine, which only ever adds time)."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(n):
        for i, run in enumerate(runs):
            times[i].append(await run())
    return [min(t) for t in times]


async def bench_protocol(
    protocol: str, port: int, base_url: str, n_rounds: int, n_words: int
) -> list[str]:
    """Both clients start each round on a fresh, ready socket (not timed)."""
    raw: RawQwen | RawCosyVoice = RawQwen(port) if protocol == "qwen" else RawCosyVoice(port)
    pieces = [w + " " for w in WORDS[:n_words]]
    expected = fake_audio("".join(pieces))
    tts = specwire_model(protocol, base_url)
    counted: dict[str, int] = {}
    matched = {"raw": True, "specwire": True}
    hello = "Hello there, this is a test."

    async def raw_first() -> float:
        ws = await raw.open()
        _, _, first = await raw.speak(ws, [hello])
        await ws.close()
        return first

    async def specwire_first() -> float:
        await tts.connect()
        first = await specwire_first_audio(tts, hello)
        await tts.close()
        return first

    async def raw_many() -> float:
        ws = await raw.open()
        t0 = time.perf_counter()
        audio, messages, _ = await raw.speak(ws, pieces)
        elapsed = time.perf_counter() - t0
        await ws.close()
        counted["messages"] = messages
        matched["raw"] &= audio == expected
        return elapsed

    async def specwire_many() -> float:
        await tts.connect()
        audio, elapsed = await specwire_utterance(tts, pieces)
        await tts.close()
        matched["specwire"] &= audio == expected
        return elapsed

    raw_first_s, sw_first_s = await rounds(n_rounds * 6, raw_first, specwire_first)
    raw_many_s, sw_many_s = await rounds(n_rounds, raw_many, specwire_many)
    messages = counted["messages"]
    first_ratio = sw_first_s / raw_first_s
    many_ratio = sw_many_s / raw_many_s
    return [
        f"{protocol:<10} first audio  raw {raw_first_s * 1e3:7.3f} ms  "
        f"specwire {sw_first_s * 1e3:7.3f} ms  {first_ratio:4.2f}x "
        f"{'ok' if first_ratio <= TARGET else 'OVER'}",
        f"{protocol:<10} per message  raw {raw_many_s / messages * 1e6:7.2f} us  "
        f"specwire {sw_many_s / messages * 1e6:7.2f} us  {many_ratio:4.2f}x "
        f"{'ok' if many_ratio <= TARGET else 'OVER'}  ({n_words} pushes, {messages} server "
        f"messages; audio matched: {matched['specwire'] and matched['raw']})",
    ]


async def main_async(args: argparse.Namespace) -> bool:
    server = ServerProcess(args.chunk_size)
    try:
        lines: list[str] = []
        for protocol in ("qwen", "cosyvoice"):
            lines += await bench_protocol(
                protocol, server.port, server.base_url, args.rounds, args.words
            )
    finally:
        server.close()
    print(f"realtime TTS vs raw websockets (target <= {TARGET}x; best of interleaved rounds)")
    for line in lines:
        print("  " + line)
    return not any("OVER" in line for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--words", type=int, default=300, help="pushes per utterance")
    parser.add_argument("--chunk-size", type=int, default=960, help="audio bytes per message")
    parser.add_argument("--check", action="store_true", help="exit 1 when a ratio is over target")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.chunk_size)
        return
    ok = asyncio.run(main_async(args))
    if args.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
