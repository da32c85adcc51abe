"""Realtime session overhead against a raw ``websockets`` client, on one loopback server.

The server (``specwire._testing.realtime_server``, OpenAI Realtime protocol) runs in a
child process, so client and server do not share an interpreter. Its "bench N" answer
is N audio deltas of 20 ms of 24 kHz PCM16 (960 bytes, 1280 base64 characters), the
frame size a live voice session receives.

- per event: one response of ``--events`` audio deltas; wall time and client CPU time
  (``time.process_time``: what the client itself spends) per event, from sending the
  request to the response's end. specwire: ``send_text`` then ``async for`` over the
  session, ``event.pcm`` decoded for every delta. Raw: send the two events, then for
  every message ``json.loads`` and ``base64.b64decode`` of the audio until
  ``response.done`` (once with ``json.loads``, once with ``orjson.loads`` as specwire
  parses). Interleaved rounds, best kept.
- first audio: from sending the request to the first decoded audio delta (median).
- memory: a 10-minute session in simulated time (sent faster than real time): 10
  minutes of input audio in 20 ms frames and 10 minutes of output audio in 5 s turns;
  peak traced Python memory (``tracemalloc``) of each client, and specwire's after the
  session against its start (flat means nothing accumulates).

Target: specwire within 1.1x of the raw client per event. ``--check`` exits 1 when over.
The default run takes about a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from specwire._testing.realtime_server import RealtimeLoopbackServer
from specwire.credential import OpenAICredential
from specwire.realtime import OpenAIRealtimeModel, RealtimeSession

TARGET = 1.1
FRAME = b"\x01\x00" * 480  # 20 ms of 24 kHz PCM16


# ---------------------------------------------------------------- the server process
def serve() -> None:
    """Child process: run the loopback server, print its port, stop on stdin EOF."""

    async def main() -> None:
        async with RealtimeLoopbackServer(keep_log=False) as server:
            print(server.port, flush=True)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, sys.stdin.read)

    asyncio.run(main())


class ServerProcess:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


# ---------------------------------------------------------------- raw client
class Raw:
    """The least a client must do: configure, send, read and decode every message."""

    def __init__(self, port: int, loads: Any = json.loads) -> None:
        self.url = f"ws://127.0.0.1:{port}/v1/realtime?model=gpt-realtime"
        self.loads = loads

    async def open(self) -> ClientConnection:
        ws = await connect(
            self.url,
            additional_headers={"Authorization": "Bearer sk-bench"},
            compression=None,
            max_size=2**24,
        )
        session = {"type": "realtime", "output_modalities": ["audio"]}
        await ws.send(json.dumps({"type": "session.update", "session": session}))
        while json.loads(await ws.recv())["type"] != "session.updated":
            pass
        return ws

    async def respond(self, ws: ClientConnection, text: str) -> tuple[int, int, float]:
        """Ask for a response; (audio bytes, messages read, seconds to the first audio)."""
        t0 = time.perf_counter()
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        }
        await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
        await ws.send(json.dumps({"type": "response.create"}))
        size = messages = 0
        first = 0.0
        loads = self.loads
        while True:
            event = loads(await ws.recv(decode=False))
            messages += 1
            kind = event["type"]
            if kind == "response.output_audio.delta":
                size += len(base64.b64decode(event["delta"]))
                if not first:
                    first = time.perf_counter() - t0
            elif kind == "response.done":
                return size, messages, first

    async def send_audio(self, ws: ClientConnection, pcm: bytes) -> None:
        await ws.send(
            json.dumps(
                {"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm).decode()}
            )
        )


# ---------------------------------------------------------------- specwire client
def model(base_url: str) -> OpenAIRealtimeModel:
    return OpenAIRealtimeModel(
        credential=OpenAICredential(api_key="sk-bench", base_url=base_url), model="gpt-realtime"
    )


async def specwire_respond(session: RealtimeSession, text: str) -> tuple[int, int, float]:
    t0 = time.perf_counter()
    await session.send_text(text)
    size = events = 0
    first = 0.0
    async for event in session:
        events += 1
        if event.type == "audio_delta":
            size += len(event.pcm)
            if not first:
                first = time.perf_counter() - t0
        elif event.type == "response_done":
            return size, events, first
    raise RuntimeError("the session ended early")


# ---------------------------------------------------------------- measurements
async def per_event(base_url: str, port: int, events: int, rounds: int) -> dict[str, Any]:
    raws = {"raw": Raw(port), "raw_orjson": Raw(port, orjson.loads)}
    sockets = {name: await raw.open() for name, raw in raws.items()}
    text = f"bench {events}"
    names = ("raw", "raw_orjson", "specwire")
    best: dict[str, list[float]] = {k: [] for n in names for k in (n, n + "_cpu")}
    sizes = set()
    async with model(base_url).connect(keep_audio=False) as session:
        await specwire_respond(session, "bench 10")  # warm up every path
        for name, raw in raws.items():
            await raw.respond(sockets[name], "bench 10")
        for _ in range(rounds):
            for name in names:
                t0, c0 = time.perf_counter(), time.process_time()
                if name == "specwire":
                    size, _, _ = await specwire_respond(session, text)
                else:
                    size, _, _ = await raws[name].respond(sockets[name], text)
                best[name].append((time.perf_counter() - t0) / events)
                best[name + "_cpu"].append((time.process_time() - c0) / events)
                sizes.add(size)
    for ws in sockets.values():
        await ws.close()
    result = {k: min(v) for k, v in best.items()}
    result["same_audio"] = len(sizes) == 1 and sizes == {events * len(FRAME)}
    return result


async def first_audio(base_url: str, port: int, tries: int) -> dict[str, float]:
    raw = Raw(port)
    ws = await raw.open()
    times: dict[str, list[float]] = {"raw": [], "specwire": []}
    async with model(base_url).connect() as session:
        for _ in range(tries):
            times["raw"].append((await raw.respond(ws, "bench 2"))[2])
            times["specwire"].append((await specwire_respond(session, "bench 2"))[2])
    await ws.close()
    return {k: statistics.median(v) for k, v in times.items()}


async def long_session(base_url: str, port: int, minutes: float, client: str) -> dict[str, float]:
    """A ``minutes`` session sent faster than real time: input audio in 20 ms frames
    and output audio in 5 s turns, peak and final traced memory."""
    frames = int(minutes * 60 * 50)
    per_turn = 250  # 5 s of output per response
    turns = max(1, frames // per_turn)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    if client == "raw":
        raw = Raw(port)
        ws = await raw.open()
        for _ in range(turns):
            for _ in range(per_turn):
                await raw.send_audio(ws, FRAME)
            await raw.respond(ws, f"bench {per_turn}")
        await ws.close()
        end = tracemalloc.get_traced_memory()[0]
    else:
        async with model(base_url).connect(turn_detection=False) as session:
            start = tracemalloc.get_traced_memory()[0]
            for _ in range(turns):
                for _ in range(per_turn):
                    await session.send_audio(FRAME)
                await specwire_respond(session, f"bench {per_turn}")
            end = tracemalloc.get_traced_memory()[0]
            base = start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"peak_mib": (peak - base) / 2**20, "growth_mib": (end - base) / 2**20}


async def main_async(args: argparse.Namespace) -> int:
    server = ServerProcess()
    try:
        ev = await per_event(server.base_url, server.port, args.events, args.rounds)
        fa = await first_audio(server.base_url, server.port, args.tries)
        mem_raw = await long_session(server.base_url, server.port, args.minutes, "raw")
        mem_sw = await long_session(server.base_url, server.port, args.minutes, "specwire")
    finally:
        server.close()
    wall = ev["specwire"] / ev["raw"]
    cpu = ev["specwire_cpu"] / ev["raw_cpu"]
    print(f"audio deltas per response: {args.events} (20 ms of 24 kHz PCM16 each)")
    print(
        f"per event, wall: raw {ev['raw'] * 1e6:.1f} us, specwire {ev['specwire'] * 1e6:.1f} us"
        f" -> {wall:.2f}x (target <= {TARGET}x)"
    )
    print(
        f"per event, client CPU: raw {ev['raw_cpu'] * 1e6:.1f} us, specwire "
        f"{ev['specwire_cpu'] * 1e6:.1f} us -> {cpu:.2f}x"
    )
    print(
        f"against a raw client parsing with orjson (as specwire does): wall "
        f"{ev['specwire'] / ev['raw_orjson']:.2f}x, client CPU "
        f"{ev['specwire_cpu'] / ev['raw_orjson_cpu']:.2f}x "
        f"(raw orjson {ev['raw_orjson_cpu'] * 1e6:.1f} us CPU per event)"
    )
    print(f"same audio: {ev['same_audio']}")
    print(
        f"first audio (median of {args.tries}): raw {fa['raw'] * 1e3:.2f} ms, specwire "
        f"{fa['specwire'] * 1e3:.2f} ms -> {fa['specwire'] / fa['raw']:.2f}x"
    )
    print(
        f"{args.minutes:g}-minute session (simulated): peak traced memory raw "
        f"{mem_raw['peak_mib']:.2f} MiB, specwire {mem_sw['peak_mib']:.2f} MiB; specwire "
        f"growth over the session {mem_sw['growth_mib']:.2f} MiB"
    )
    if args.check and (wall > TARGET or not ev["same_audio"]):
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, default=3000, help="audio deltas per response")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tries", type=int, default=30, help="first-audio samples")
    parser.add_argument("--minutes", type=float, default=10.0, help="simulated session length")
    parser.add_argument("--check", action="store_true", help="exit 1 over the target")
    args = parser.parse_args()
    if args.serve:
        serve()
        return 0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
