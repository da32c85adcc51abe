"""Embedding throughput and memory against a raw httpx + base64 + numpy baseline.

20,000 texts x 1536 dimensions go through ``OpenAIEmbeddingModel`` to a loopback server
(running in its own process, so only client work is timed) that answers in the OpenAI
format with base64 float32 vectors. The baseline sends the same batches (2048 inputs,
the same concurrency bound) with one ``httpx.AsyncClient``, parses with orjson and
decodes each vector with ``base64`` + ``np.frombuffer``. Runs are interleaved; the best
and the median of each are compared. Peak memory (tracemalloc, numpy included) is
measured in separate runs and compared with the size of the vectors themselves.

Targets: time <= 1.1x the baseline, peak memory <= 2x the vectors.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import multiprocessing
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson

BATCH = 2048  # OpenAI's inputs-per-request limit, as in the spec
CONCURRENCY = 8  # the model's default bound, used by both sides


# ------------------------------------------------------------------ the server
def _serve(dims: int, ready: Any) -> None:
    """A minimal HTTP/1.1 server answering /embeddings with ``n`` base64 vectors."""
    rng = np.random.default_rng(7)
    pieces = [
        b'{"object":"embedding","index":%d,"embedding":"%s"}'
        % (i, base64.b64encode(rng.standard_normal(dims).astype("<f4").tobytes()))
        for i in range(BATCH)
    ]

    def body_for(count: int) -> bytes:
        data = b",".join(pieces[:count])
        usage = b'{"prompt_tokens":%d,"total_tokens":%d}' % (count * 4, count * 4)
        return b'{"object":"list","data":[' + data + b'],"model":"m","usage":' + usage + b"}"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                request = orjson.loads(await reader.readexactly(length))
                body = body_for(len(request["input"]))
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\n\r\n" % len(body)
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


# ------------------------------------------------------------------ the two clients
async def baseline(client: httpx.AsyncClient, url: str, texts: list[str], dims: int) -> list[Any]:
    """Raw httpx, bounded like the model: post each batch, orjson, b64decode, frombuffer."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(batch: list[str]) -> list[Any]:
        async with gate:
            response = await client.post(
                url,
                content=orjson.dumps(
                    {"model": "m", "input": batch, "encoding_format": "base64", "dimensions": dims}
                ),
                headers={"content-type": "application/json", "authorization": "Bearer k"},
            )
            data = orjson.loads(response.content)["data"]
            return [np.frombuffer(base64.b64decode(d["embedding"]), dtype="<f4") for d in data]

    batches = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]
    results = await asyncio.gather(*(one(b) for b in batches))
    return [vector for batch in results for vector in batch]


async def measure(fn: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    result = await fn()
    return time.perf_counter() - started, result


async def peak_memory(fn: Callable[[], Awaitable[Any]]) -> int:
    gc.collect()
    tracemalloc.start()
    result = await fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak


async def run(count: int, dims: int, rounds: int, results: Path | None = None) -> int:
    from specwire.credential import OpenAICredential  # type: ignore[attr-defined]
    from specwire.embedding import OpenAIEmbeddingModel

    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    server = context.Process(target=_serve, args=(dims, ready), daemon=True)
    server.start()
    port = ready.get(timeout=60)
    root = f"http://127.0.0.1:{port}/v1"
    try:
        texts = [f"document number {i}: some text to embed" for i in range(count)]
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="k", base_url=root),
            model="text-embedding-3-small",
            parameters=OpenAIEmbeddingModel.Parameters(dimensions=dims),
            max_concurrency=CONCURRENCY,
        )
        client = httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=CONCURRENCY))

        def run_model() -> Awaitable[Any]:
            return model(texts)

        def run_baseline() -> Awaitable[Any]:
            return baseline(client, root + "/embeddings", texts, dims)

        # warm both connection pools, and check both see the same vectors
        ours = (await run_model()).embeddings
        raw = await run_baseline()
        assert len(ours) == len(raw) == count and len(ours[0]) == dims
        assert all(np.array_equal(ours[i], raw[i]) for i in (0, count // 2, count - 1))
        del ours, raw

        times: dict[str, list[float]] = {"baseline": [], "specwire": []}
        for _ in range(rounds):
            for name, fn in (("baseline", run_baseline), ("specwire", run_model)):
                elapsed, result = await measure(fn)
                del result
                times[name].append(elapsed)
        memory = {
            "baseline": await peak_memory(run_baseline),
            "specwire": await peak_memory(run_model),
        }
        await model.aclose()
        await client.aclose()
    finally:
        server.terminate()
        server.join(10)

    vectors_mb = count * dims * 4 / 1e6
    best = {k: min(v) for k, v in times.items()}
    median = {k: statistics.median(v) for k, v in times.items()}
    ratio_best = best["specwire"] / best["baseline"]
    ratio_median = median["specwire"] / median["baseline"]
    print(
        f"embeddings: {count} texts x {dims} dims, base64 float32, batches of {BATCH}, "
        f"{CONCURRENCY} in flight, {rounds} interleaved rounds"
    )
    print(f"{'':10} {'best s':>8} {'median s':>9} {'peak MB':>8} {'x vectors':>10}")
    for name in ("baseline", "specwire"):
        peak_mb = memory[name] / 1e6
        print(
            f"{name:10} {best[name]:8.3f} {median[name]:9.3f} {peak_mb:8.1f} {peak_mb / vectors_mb:10.2f}"
        )
    print(f"vectors: {vectors_mb:.1f} MB")
    print(
        f"time ratio specwire/baseline: best {ratio_best:.2f}x, median {ratio_median:.2f}x (target <= 1.1x)"
    )
    memory_ratio = memory["specwire"] / 1e6 / vectors_mb
    print(f"peak memory specwire/vectors: {memory_ratio:.2f}x (target <= 2x)")
    if results is not None:
        results.write_text(  # noqa: ASYNC240 (once, after the timed runs)
            json.dumps(
                {
                    "count": count,
                    "dims": dims,
                    "ratio_best": ratio_best,
                    "ratio_median": ratio_median,
                    "memory_x_vectors": memory_ratio,
                    "baseline_memory_x_vectors": memory["baseline"] / 1e6 / vectors_mb,
                }
            )
        )
    ok = ratio_median <= 1.1 and memory_ratio <= 2.0
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--dims", type=int, default=1536)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--results", type=Path, help="write the results here (JSON)")
    args = parser.parse_args()
    return asyncio.run(run(args.count, args.dims, args.rounds, args.results))


if __name__ == "__main__":
    sys.exit(main())
