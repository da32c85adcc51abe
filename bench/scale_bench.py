"""The rate limiter's cost per call, and ``specwire embed`` against the live path.

1. Limiter overhead: ``Budget.acquire`` + ``Reservation.settle`` per call with the
   in-process limiter (no limits; limits that never bind) and, when ``redis-server``
   is installed, with ``RedisRateLimiter`` (one Lua round trip, one HINCRBYFLOAT);
   then a whole non-streamed chat call to a loopback server in another process, with
   the model's limiter and with it short-circuited, to put the figure in proportion.
2. Embed throughput: 20,000 texts (256 dimensions, float32 base64 like OpenAI) from a
   JSONL file through ``specwire embed`` (no cache, and with a fresh file cache) to
   ``.npy``, against ``await model(texts)`` on the same model settings.

Targets: the in-process limiter under 5% of a loopback chat call; the CLI without a
cache within 1.2x of the live path.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson

DIMS = 256
TEXTS = 20_000


# ------------------------------------------------------------------ a loopback server
def _serve(ready: Any) -> None:
    """Answers /embeddings (base64 float32) and /chat/completions, HTTP/1.1 keep-alive."""
    rng = np.random.default_rng(3)
    vector = base64.b64encode(rng.standard_normal(DIMS).astype("<f4").tobytes())
    chat = orjson.dumps(
        {
            "id": "c",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "ok"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10},
        }
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                request = orjson.loads(await reader.readexactly(length))
                if b"/embeddings" in head.split(b"\r\n", 1)[0]:
                    count = len(request["input"])
                    data = b",".join(
                        b'{"object":"embedding","index":%d,"embedding":"%s"}' % (i, vector)
                        for i in range(count)
                    )
                    body = (
                        b'{"object":"list","data":['
                        + data
                        + b'],"usage":{"prompt_tokens":%d,"total_tokens":%d}}' % (count, count)
                    )
                else:
                    body = chat
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
                    % len(body)
                )
                writer.write(body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        ready.put(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _start_server() -> tuple[Any, str]:
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    process = context.Process(target=_serve, args=(ready,), daemon=True)
    process.start()
    return process, f"http://127.0.0.1:{ready.get(timeout=30)}"


def _start_redis(folder: str) -> tuple[subprocess.Popen[bytes] | None, str | None]:
    binary = shutil.which("redis-server")
    if binary is None:
        return None, None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    process.terminate()
    return None, None


# ------------------------------------------------------------------ 1. the limiter
async def _per_call(budget: Any, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        reservation = await budget.acquire(100)
        await reservation.settle(120)
    return (time.perf_counter() - started) / calls


async def limiter_overhead(url: str, redis_url: str | None) -> None:
    from specwire._ratelimit import (
        Budget,
        InProcessRateLimiter,
        RateLimiter,
        RateLimits,
        RedisRateLimiter,
    )
    from specwire.credential import OpenAICredential
    from specwire.message import UserMsg
    from specwire.model import OpenAIChatModel

    never = RateLimits(requests_per_minute=1e12, tokens_per_minute=1e15)
    rows = []
    for label, limits in (("in-process, no limits", RateLimits()), ("in-process, limits", never)):
        budget = Budget(InProcessRateLimiter(), "bench", limits)
        best = min([await _per_call(budget, 20_000) for _ in range(3)])
        rows.append((label, best))
    if redis_url is not None:
        limiter = RedisRateLimiter(url=redis_url)
        budget = Budget(limiter, "bench", never)
        best = min([await _per_call(budget, 2_000) for _ in range(3)])
        rows.append(("redis (loopback), limits", best))
        await limiter.aclose()
    for label, seconds in rows:
        print(f"  limiter {label:28s} {seconds * 1e6:8.1f} us per call")

    model = OpenAIChatModel(
        credential=OpenAICredential(api_key="sk-bench", base_url=url), model="m", stream=False
    ).limit_rate(InProcessRateLimiter(), requests_per_minute=1e12, tokens_per_minute=1e15)
    messages = [UserMsg(name="u", content="hello " * 50)]

    class Noop(RateLimiter):
        """Answers at once and keeps nothing: the engine's hooks without a limiter."""

        async def reserve(self, key: str, limits: RateLimits, tokens: int) -> float:
            return 0.0

        async def correct(self, key: str, limits: RateLimits, delta_tokens: int) -> None:
            return None

        async def pause(self, key: str, seconds: float) -> None:
            return None

    async def calls(n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            await model(messages)
        return (time.perf_counter() - started) / n

    limited: list[float] = []
    free: list[float] = []
    real_budget = model.budget
    for _ in range(5):  # interleaved rounds, best kept
        model._budget = real_budget
        limited.append(await calls(300))
        model._budget = Budget(Noop(), "free", RateLimits())
        free.append(await calls(300))
    await model.aclose()
    with_, without = min(limited), min(free)
    print(
        f"  chat call via loopback: {with_ * 1e6:.0f} us with the limiter, {without * 1e6:.0f} us "
        f"without ({(with_ - without) / without:+.1%}; median {statistics.median(limited) / statistics.median(free) - 1:+.1%})"
    )


# ------------------------------------------------------------------ 2. the embed CLI
def embed_throughput(url: str, folder: Path) -> None:
    from specwire._cli import main
    from specwire.credential import OpenAICredential
    from specwire.embedding import OpenAIEmbeddingModel

    os.environ["OPENAI_API_KEY"] = "sk-bench"
    texts = [f"a passage of text number {i} " * 3 for i in range(TEXTS)]
    corpus = folder / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))

    async def live() -> float:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(base_url=url),
            model="text-embedding-3-small",
            batch_size=500,
        )
        started = time.perf_counter()
        response = await model(texts)
        matrix = np.asarray(response.embeddings, dtype=np.float32)
        np.save(folder / "live.npy", matrix)
        took = time.perf_counter() - started
        await model.aclose()
        return took

    def cli(*extra: str) -> float:
        started = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):  # the command's own summary line
            code = main(
            ["embed", str(corpus), "-o", str(folder / "cli.npy"), "--provider", "openai",
             "--model", "text-embedding-3-small", "--base-url", url, "--batch-size", "500",
             "--chunk", "5000", "--progress", "off", *extra]
            )  # fmt: skip
        assert code == 0
        return time.perf_counter() - started

    live_t, cli_t, cached_t, warm_t = [], [], [], []
    for round_ in range(3):
        live_t.append(asyncio.run(live()))
        cli_t.append(cli("--no-cache"))
        cache = folder / f"cache{round_}"
        cached_t.append(cli("--cache-dir", str(cache)))
        warm_t.append(cli("--cache-dir", str(cache)))  # a rerun: everything from the cache
    best = min(live_t)
    for label, runs in (
        ("live model(texts) -> .npy", live_t),
        ("specwire embed --no-cache", cli_t),
        ("specwire embed, fresh file cache", cached_t),
        ("specwire embed, rerun (all cached)", warm_t),
    ):
        print(
            f"  {label:36s} {TEXTS / min(runs):9.0f} texts/s  ({min(runs) / best:.2f}x the live path)"
        )


def main() -> int:
    print(f"scale: limiter overhead; embed CLI {TEXTS} texts x {DIMS} dims vs the live path")
    server, url = _start_server()
    with tempfile.TemporaryDirectory() as tmp:
        redis, redis_url = _start_redis(tmp)
        try:
            asyncio.run(limiter_overhead(url, redis_url))
            embed_throughput(url, Path(tmp))
        finally:
            server.terminate()
            if redis is not None:
                redis.terminate()
                redis.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
