"""``RedisRateLimiter``: budgets in Redis, shared by every process and host using it.

Each budget is one hash (``prefix + key``; the key holds a hash of the credential,
never the api key) updated by a Lua script, so a reservation is one atomic round trip
and every client agrees on Redis's clock (``TIME``), not its own. Needs the ``redis``
client: ``pip install 'specwire[redis]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import RateLimiter
from .limits import RateLimits

if TYPE_CHECKING:
    from redis.asyncio import Redis

# ARGV: seconds per request, its tolerance, seconds per token, its tolerance, tokens,
# ttl (ms). Returns the wait as a string (Redis truncates Lua numbers to integers).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local h = redis.call('HMGET', KEYS[1], 'r', 't', 'p')
local r = tonumber(h[1]) or 0
local tk = tonumber(h[2]) or 0
local p = tonumber(h[3]) or 0
local per_r, tau_r = tonumber(ARGV[1]), tonumber(ARGV[2])
local per_t, tau_t = tonumber(ARGV[3]), tonumber(ARGV[4])
local start = math.max(now, p)
if per_r > 0 then
  start = math.max(start, r - tau_r)
  r = math.max(r, start) + per_r
end
if per_t > 0 then
  start = math.max(start, tk - tau_t)
  tk = math.max(tk, start) + math.max(0, tonumber(ARGV[5])) * per_t
end
redis.call('HSET', KEYS[1], 'r', string.format('%.6f', r), 't', string.format('%.6f', tk))
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return string.format('%.6f', start - now)
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local p = tonumber(redis.call('HGET', KEYS[1], 'p')) or 0
redis.call('HSET', KEYS[1], 'p', string.format('%.6f', math.max(p, now + tonumber(ARGV[1]))))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

_TTL_MS = 10 * 60 * 1000  # an idle budget is forgotten after ten minutes


class RedisRateLimiter(RateLimiter):
    """Budgets in Redis. Give a ``redis.asyncio.Redis`` client or a ``url`` (default
    ``redis://localhost:6379/0``); keys are ``prefix + provider:credential-hash:model``.
    A limiter built from a ``url`` pickles as its url and prefix and reconnects in the
    worker; one given a client does not pickle."""

    def __init__(
        self,
        client: Redis | None = None,
        *,
        url: str = "redis://localhost:6379/0",
        prefix: str = "specwire:ratelimit:",
    ) -> None:
        self.url = url if client is None else None
        self.prefix = prefix
        self._client: Redis | None = client
        self._scripts: dict[str, Any] = {}

    @property
    def client(self) -> Redis:
        """The Redis client (connected on first use)."""
        if self._client is None:
            try:
                from redis.asyncio import Redis
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError(
                    "RedisRateLimiter needs the redis client: pip install 'specwire[redis]'"
                ) from exc
            assert self.url is not None
            self._client = Redis.from_url(self.url)
        return self._client

    def _script(self, name: str, source: str) -> Any:
        script = self._scripts.get(name)
        if script is None:
            script = self._scripts[name] = self.client.register_script(source)
        return script

    async def reserve(self, key: str, limits: RateLimits, tokens: int) -> float:
        per_r, tau_r, per_t, tau_t = limits.intervals()
        wait = await self._script("reserve", _RESERVE)(
            keys=[self.prefix + key], args=[per_r, tau_r, per_t, tau_t, tokens, _TTL_MS]
        )
        return float(wait)

    async def correct(self, key: str, limits: RateLimits, delta_tokens: int) -> None:
        per_token = limits.intervals()[2]
        if per_token and delta_tokens:
            await self.client.hincrbyfloat(self.prefix + key, "t", delta_tokens * per_token)

    async def pause(self, key: str, seconds: float) -> None:
        await self._script("pause", _PAUSE)(keys=[self.prefix + key], args=[seconds, _TTL_MS])

    async def aclose(self) -> None:
        """Close the connection pool (a later call reconnects)."""
        if self._client is not None and self.url is not None:
            await self._client.aclose()
            self._client = None
            self._scripts = {}

    def __getstate__(self) -> dict[str, Any]:
        if self.url is None:
            raise TypeError(
                "a RedisRateLimiter built from a client cannot be pickled; "
                "build it with url= so workers can reconnect"
            )
        return {"url": self.url, "prefix": self.prefix}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.url = state["url"]
        self.prefix = state["prefix"]
        self._client = None
        self._scripts = {}

    def __repr__(self) -> str:
        return f"RedisRateLimiter(prefix={self.prefix!r})"
