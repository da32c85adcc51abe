"""A loopback server on its own thread and event loop, so that other processes (or
blocking code) can call it while the caller waits; and an embeddings endpoint that
enforces a request rate the way providers do, counting what it sees."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from .batch_server import DIMENSIONS, vector_for
from .loopback import LoopbackServer, ReceivedRequest, Reply


class ThreadedServer:
    """``with ThreadedServer(handler) as server: server.url``."""

    def __init__(self, handler: Callable[[ReceivedRequest], Reply]) -> None:
        self._handler = handler
        self._loop = asyncio.new_event_loop()
        self._server = LoopbackServer(handler)
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        return self._server.url

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._server.__aenter__(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._server.__aexit__(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


class RateEnforcingEmbeddings:
    """An OpenAI-style ``/embeddings`` handler that enforces a request rate the way
    providers quantize per-minute limits (OpenAI: 60,000 RPM may be enforced as 1,000
    a second): a bucket of ``burst_seconds`` worth of requests, refilled at the rate;
    a request finding it empty gets a 429 with ``Retry-After``. It records when each
    accepted request came, and counts the refused ones."""

    def __init__(self, requests_per_minute: float, burst_seconds: float = 1.0) -> None:
        self.rate = requests_per_minute / 60.0
        self.capacity = max(1.0, self.rate * burst_seconds)
        self._level = self.capacity
        self._at = time.monotonic()
        self.accepted: list[float] = []
        self.refused = 0
        self.inputs = 0
        self._lock = threading.Lock()

    def __call__(self, request: ReceivedRequest) -> Reply:
        now = time.monotonic()
        with self._lock:
            self._level = min(self.capacity, self._level + (now - self._at) * self.rate)
            self._at = now
            if self._level < 1.0:
                self.refused += 1
                return Reply.json(
                    {
                        "error": {
                            "message": "Rate limit reached",
                            "type": "requests",
                            "code": "rate_limit_exceeded",
                        }
                    },
                    status=429,
                    headers={"retry-after": "1"},
                )
            self._level -= 1.0
            self.accepted.append(now)
        body: dict[str, Any] = request.json()
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        with self._lock:
            self.inputs += len(inputs)
        size = body.get("dimensions") or DIMENSIONS  # as asked, like the real service
        data = [
            {"object": "embedding", "index": n, "embedding": vector_for(str(text), size)}
            for n, text in enumerate(inputs)
        ]
        return Reply.json(
            {
                "object": "list",
                "data": data,
                "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
            }
        )

    def steady_rate_per_minute(self, skip: float = 1.0) -> float:
        """Requests per minute after the first ``skip`` seconds: 60 over the slope of a
        least-squares line through the arrival times, so that one request delayed on
        its way (a busy machine) does not stretch or shrink the measured span."""
        times = [t for t in self.accepted if t >= self.accepted[0] + skip] if self.accepted else []
        n = len(times)
        if n < 3:
            return 0.0
        mean_i = (n - 1) / 2
        mean_t = sum(times) / n
        slope = sum((i - mean_i) * (t - mean_t) for i, t in enumerate(times)) / sum(
            (i - mean_i) ** 2 for i in range(n)
        )
        return 60.0 / slope if slope > 0 else 0.0
