"""Chat streaming, concurrency and non-stream calls against raw httpx, like real traffic.

The loopback provider (``sse_server.py``) runs in its own process, so its work never
shares the client's event loop or its timings. The headline framing is one HTTP chunk
per SSE event, as providers send; the same bodies in 64 KiB chunks are an extra row.

Every row runs, interleaved round by round (best of N kept):
- ``raw httpx``, the baseline: ``httpx.AsyncClient.stream`` + ``aiter_lines`` +
  ``json.loads`` of each ``data:`` line, the text (or arguments) joined once;
- ``specwire``: the model on its default transport (aiohttp under httpx's API),
  consumed to its final, fully accumulated chunk;
- ``specwire httpx``: the same model with ``transport="httpx"`` (httpx's own transport).

Each row's outputs are checked equal before timing. Results go to ``--results`` (JSON)
for ``run.py``, which writes ``bench/results.md`` and the README's speed section.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sse_server import ServerProcess

REQUEST = {"model": "m", "messages": [{"role": "user", "content": "go"}], "stream": True}
STREAMS = [
    ("openai", "text"),
    ("openai", "tool"),
    ("openai", "reasoning"),
    ("anthropic", "text"),
    ("anthropic", "tool"),
]
CONTESTANTS = ["raw httpx", "specwire", "specwire httpx"]


# ------------------------------------------------------------------ the baseline
def _openai_piece(kind: str) -> Callable[[Any], str | None]:
    def piece(event: Any) -> str | None:
        choices = event.get("choices")
        if not choices:
            return None
        delta = choices[0].get("delta") or {}
        if kind == "text":
            return delta.get("content")
        if kind == "reasoning":
            return delta.get("reasoning_content")
        calls = delta.get("tool_calls")
        return calls[0]["function"].get("arguments") if calls else None

    return piece


def _anthropic_piece(kind: str) -> Callable[[Any], str | None]:
    field = "text" if kind == "text" else "partial_json"

    def piece(event: Any) -> str | None:
        if event.get("type") != "content_block_delta":
            return None
        return event["delta"].get(field)

    return piece


async def raw_httpx(client: httpx.AsyncClient, url: str, piece: Callable[[Any], str | None]) -> str:
    """What a hand-written client does: read lines, parse each event, join once."""
    parts: list[str] = []
    async with client.stream("POST", url, json=REQUEST) as response:
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                data = line[6:]
                if data == "[DONE]":
                    break
                text = piece(json.loads(data))
                if text:
                    parts.append(text)
    return "".join(parts)


# ------------------------------------------------------------------ specwire
def make_model(dialect: str, root: str, transport: str | None, **kwargs: Any) -> Any:
    from specwire.credential import AnthropicCredential, OpenAICredential  # type: ignore[attr-defined]
    from specwire.model import AnthropicChatModel, OpenAIChatModel  # type: ignore[attr-defined]

    if dialect == "openai":
        return OpenAIChatModel(
            credential=OpenAICredential(api_key="k", base_url=root + "/v1"),
            model="m",
            stream=True,
            transport=transport,
            **kwargs,
        )
    return AnthropicChatModel(
        credential=AnthropicCredential(api_key="k", base_url=root),
        model="m",
        stream=True,
        transport=transport,
        **kwargs,
    )


TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]


async def run_specwire(model: Any, kind: str) -> tuple[str, int]:
    """The final chunk's text (or arguments) and how many deltas came before it."""
    from specwire.message import UserMsg

    final = None
    deltas = 0
    stream = await model(
        [UserMsg(name="user", content="go")], tools=TOOLS if kind == "tool" else None
    )
    async for chunk in stream:
        if chunk.is_last:
            final = chunk
        else:
            deltas += 1
    assert final is not None
    block = final.content[0]
    text = {"text": "text", "thinking": "thinking", "tool_call": "input"}[block.type]
    return getattr(block, text), deltas


# ------------------------------------------------------------------ timing
async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    gc.collect()
    started = time.perf_counter()
    await fn()
    return time.perf_counter() - started


async def best_interleaved(
    fns: dict[str, Callable[[], Awaitable[Any]]], rounds: int
) -> dict[str, float]:
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        for name, fn in fns.items():
            best[name] = min(best[name], await timed(fn))
    return best


async def traced_peak(fn: Callable[[], Awaitable[Any]]) -> float:
    gc.collect()
    tracemalloc.start()
    await fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


async def stream_row(
    port: int, dialect: str, kind: str, n: int, framing: str, rounds: int
) -> dict[str, Any]:
    root = f"http://127.0.0.1:{port}/{dialect}/{kind}/{n}/{framing}"
    url = root + ("/v1/chat/completions" if dialect == "openai" else "/v1/messages")
    piece = (_openai_piece if dialect == "openai" else _anthropic_piece)(kind)
    client = httpx.AsyncClient(timeout=120)
    fast = make_model(dialect, root, None)
    plain = make_model(dialect, root, "httpx")
    # warm up (the server builds the body once) and check all three read the same
    expected = await raw_httpx(client, url, piece)
    got_fast, deltas_fast = await run_specwire(fast, kind)
    got_plain, deltas_plain = await run_specwire(plain, kind)
    assert got_fast == got_plain == expected, (dialect, kind, n, framing)
    best = await best_interleaved(
        {
            "raw httpx": lambda: raw_httpx(client, url, piece),
            "specwire": lambda: run_specwire(fast, kind),
            "specwire httpx": lambda: run_specwire(plain, kind),
        },
        rounds,
    )
    peak = await traced_peak(lambda: run_specwire(fast, kind))
    await client.aclose()
    await fast.aclose()
    await plain.aclose()
    return {
        "dialect": dialect,
        "kind": kind,
        "events": n,
        "framing": framing,
        "seconds": best,
        "deltas": {"specwire": deltas_fast, "specwire httpx": deltas_plain},
        "specwire_peak_mb": peak,
        "text_mb": len(expected.encode()) / 2**20,
    }


async def paced_row(port: int, dialect: str, kind: str, n: int, rounds: int) -> dict[str, Any]:
    """Events spread in time (one per millisecond): wall time is the server's pace, so
    what is compared is the client's CPU time per event, each read holding one event."""
    root = f"http://127.0.0.1:{port}/{dialect}/{kind}/{n}/paced"
    url = root + ("/v1/chat/completions" if dialect == "openai" else "/v1/messages")
    piece = (_openai_piece if dialect == "openai" else _anthropic_piece)(kind)
    client = httpx.AsyncClient(timeout=120)
    fast = make_model(dialect, root, None)
    plain = make_model(dialect, root, "httpx")
    fns: dict[str, Callable[[], Awaitable[Any]]] = {
        "raw httpx": lambda: raw_httpx(client, url, piece),
        "specwire": lambda: run_specwire(fast, kind),
        "specwire httpx": lambda: run_specwire(plain, kind),
    }
    for fn in fns.values():
        await fn()
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        for name, fn in fns.items():
            gc.collect()
            started = time.process_time()
            await fn()
            best[name] = min(best[name], time.process_time() - started)
    _, deltas = await run_specwire(fast, kind)
    await client.aclose()
    await fast.aclose()
    await plain.aclose()
    return {"dialect": dialect, "kind": kind, "events": n, "cpu_seconds": best, "deltas": deltas}


# ------------------------------------------------------------------ concurrency
async def concurrent_round(name: str, port: int, streams: int, n: int) -> float:
    root = f"http://127.0.0.1:{port}/openai/text/{n}/event"
    url = root + "/v1/chat/completions"
    if name == "raw httpx":
        client = httpx.AsyncClient(timeout=300, limits=httpx.Limits(max_connections=streams))
        piece = _openai_piece("text")
        await raw_httpx(client, url, piece)  # warm: the server builds the body once

        async def one() -> Any:
            return await raw_httpx(client, url, piece)

        async def close() -> None:
            await client.aclose()
    else:
        model = make_model(
            "openai", root, None if name == "specwire" else "httpx", max_connections=streams
        )
        await run_specwire(model, "text")

        async def one() -> Any:
            return await run_specwire(model, "text")

        async def close() -> None:
            await model.aclose()

    started = time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(streams)))
    elapsed = time.perf_counter() - started
    assert len(results) == streams
    await close()
    return elapsed


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from
    the parent that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def concurrency_worker(name: str, port: int, streams: int, n: int) -> None:
    """One round in a fresh interpreter: its time and the process's peak memory."""
    elapsed = asyncio.run(concurrent_round(name, port, streams, n))
    peak_mb = _peak_rss_mb()
    print(json.dumps({"seconds": elapsed, "max_rss_mb": peak_mb}))


def concurrency(port: int, streams: int, n: int, rounds: int) -> dict[str, Any]:
    best = dict.fromkeys(CONTESTANTS, float("inf"))
    rss = dict.fromkeys(CONTESTANTS, 0.0)
    for _ in range(rounds):
        for name in CONTESTANTS:
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--concurrency-worker",
                    name,
                    "--port",
                    str(port),
                    "--streams",
                    str(streams),
                    "--events",
                    str(n),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            out = json.loads(done.stdout.strip().splitlines()[-1])
            best[name] = min(best[name], out["seconds"])
            rss[name] = max(rss[name], out["max_rss_mb"])
    return {"streams": streams, "events": n, "seconds": best, "max_rss_mb": rss}


# ------------------------------------------------------------------ non-stream
async def non_stream(port: int, calls: int, chars: int, rounds: int) -> dict[str, Any]:
    from specwire.message import UserMsg

    root = f"http://127.0.0.1:{port}/json/{chars}"
    url = root + "/v1/chat/completions"
    client = httpx.AsyncClient(timeout=60)
    models = {
        "specwire": make_model("openai", root, None),
        "specwire httpx": make_model("openai", root, "httpx"),
    }
    msgs = [UserMsg(name="user", content="go")]
    body = {**REQUEST, "stream": False}

    async def raw() -> str:
        text = ""
        for _ in range(calls):
            response = await client.post(url, json=body)
            text = json.loads(response.content)["choices"][0]["message"]["content"]
        return text

    def ours(model: Any) -> Callable[[], Awaitable[str]]:
        async def run() -> str:
            text = ""
            for _ in range(calls):
                response = await model(msgs, stream=False)
                text = response.content[0].text
            return text

        return run

    assert await raw() == await ours(models["specwire"])() == await ours(models["specwire httpx"])()
    best = await best_interleaved(
        {
            "raw httpx": raw,
            "specwire": ours(models["specwire"]),
            "specwire httpx": ours(models["specwire httpx"]),
        },
        rounds,
    )
    await client.aclose()
    for model in models.values():
        await model.aclose()
    return {"calls": calls, "chars": chars, "seconds": best}


# ------------------------------------------------------------------ main
def print_rows(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'stream':<20}{'framing':<8}{'events':>8}{'raw µs/ev':>11}{'sw µs/ev':>10}{'sw÷raw':>8}"
        f"{'sw-httpx':>10}{'÷raw':>7}{'deltas':>8}{'peak MB':>9}",
        flush=True,
    )
    for r in rows:
        s, n = r["seconds"], r["events"]
        raw = s["raw httpx"]
        print(
            f"{r['dialect'] + ' ' + r['kind']:<20}{r['framing']:<8}{n:>8}{raw / n * 1e6:>11.2f}"
            f"{s['specwire'] / n * 1e6:>10.2f}{s['specwire'] / raw:>8.2f}"
            f"{s['specwire httpx'] / n * 1e6:>10.2f}{s['specwire httpx'] / raw:>7.2f}"
            f"{r['deltas']['specwire']:>8}{r['specwire_peak_mb']:>9.1f}",
            flush=True,
        )


async def main_async(args: argparse.Namespace, port: int) -> dict[str, Any]:
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[dict[str, Any]] = []
    for n in sizes:
        rounds = args.rounds if n < 100_000 else max(1, min(args.rounds, args.big_rounds))
        for dialect, kind in STREAMS:
            rows.append(await stream_row(port, dialect, kind, n, "event", rounds))
            print_rows(rows[-1:])
        rows.append(await stream_row(port, "openai", "text", n, "large", rounds))
        print_rows(rows[-1:])
    paced = []
    for dialect, kind in STREAMS:
        paced.append(await paced_row(port, dialect, kind, args.paced_events, 3))
        p = paced[-1]
        cpu = {k: v / p["events"] * 1e6 for k, v in p["cpu_seconds"].items()}
        print(
            f"paced {dialect} {kind}: client CPU µs/event raw {cpu['raw httpx']:.1f} "
            f"specwire {cpu['specwire']:.1f} specwire-httpx {cpu['specwire httpx']:.1f} "
            f"({p['deltas']} deltas)",
            flush=True,
        )
    calls = await non_stream(port, args.calls, 2000, args.rounds)
    return {"streams": rows, "paced": paced, "non_stream": calls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big-rounds", type=int, default=3, help="rounds at 100k events")
    parser.add_argument("--streams", type=int, default=500, help="concurrent streams")
    parser.add_argument("--events", type=int, default=1000, help="events per concurrent stream")
    parser.add_argument("--concurrency-rounds", type=int, default=3)
    parser.add_argument("--paced-events", type=int, default=1000, help="events per paced stream")
    parser.add_argument("--calls", type=int, default=300, help="non-stream calls per round")
    parser.add_argument("--results", type=Path, help="write the results here (JSON)")
    parser.add_argument("--concurrency-worker", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.concurrency_worker:
        concurrency_worker(args.concurrency_worker, args.port, args.streams, args.events)
        return
    with ServerProcess() as server:
        results = asyncio.run(main_async(args, server.port))
        results["concurrency"] = concurrency(
            server.port, args.streams, args.events, args.concurrency_rounds
        )
    c = results["concurrency"]
    print(f"concurrency: {c['streams']} streams x {c['events']} events on one loop")
    for name in CONTESTANTS:
        eps = c["streams"] * c["events"] / c["seconds"][name]
        print(f"  {name:<16}{eps:>12,.0f} events/s  max RSS {c['max_rss_mb'][name]:.0f} MB")
    ns = results["non_stream"]
    print(f"non-stream: {ns['calls']} calls of {ns['chars']} chars")
    for name in CONTESTANTS:
        print(
            f"  {name:<16}{ns['seconds'][name] / ns['calls'] * 1e6:>9.0f} µs/call "
            f"{ns['seconds'][name] / ns['seconds']['raw httpx']:.2f}x"
        )
    if args.results:
        args.results.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
