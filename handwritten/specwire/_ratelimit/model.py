"""The rate-limit face every model has: ``model.limit_rate(...)`` and the budget its
engine draws on around each request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from .base import Budget, RateLimiter
from .limits import RateLimits, budget_key
from .local import default_limiter

if TYPE_CHECKING:
    from .._core.credential import CredentialBase


class RateLimited:
    """Mixed into the model bases. By default a model draws on the process-wide
    in-process limiter with the limits its spec names (none: only a shared
    ``Retry-After`` pause); ``limit_rate`` overrides either."""

    credential: CredentialBase
    model: str
    _rate_limiter: RateLimiter | None = None
    _rate_limits: RateLimits | None = None
    _budget: Budget | None = None

    def limit_rate(
        self,
        limiter: RateLimiter | None = None,
        *,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        burst_seconds: float | None = None,
        limits: RateLimits | None = None,
    ) -> Self:
        """Share ``limiter`` (e.g. a ``RedisRateLimiter``) and/or set the limits;
        figures not given keep the spec's. Returns the model."""
        if limiter is not None:
            self._rate_limiter = limiter
        base = limits or self.rate_limits
        if limits is None and (requests_per_minute, tokens_per_minute, burst_seconds) != (
            None,
            None,
            None,
        ):
            base = RateLimits(
                requests_per_minute=requests_per_minute or base.requests_per_minute,
                tokens_per_minute=tokens_per_minute or base.tokens_per_minute,
                burst_seconds=base.burst_seconds if burst_seconds is None else burst_seconds,
            )
        self._rate_limits = base
        self._budget = None
        return self

    @property
    def rate_limiter(self) -> RateLimiter:
        """Where this model's budget lives."""
        return self._rate_limiter if self._rate_limiter is not None else default_limiter()

    @property
    def rate_limits(self) -> RateLimits:
        """The limits in force: set by ``limit_rate``, else the spec's."""
        if self._rate_limits is not None:
            return self._rate_limits
        return RateLimits.from_mapping(self._spec_rate_limits())

    def _spec_rate_limits(self) -> Mapping[str, float]:
        binding = getattr(type(self), "binding", None)
        return getattr(binding, "rate_limits", None) or {}

    def _provider_id(self) -> str:
        binding = getattr(type(self), "binding", None)
        return str(getattr(binding, "provider", type(self).__name__))

    @property
    def budget(self) -> Budget:
        """The budget (limiter, key, limits) this model's requests draw on."""
        if self._budget is None:
            self._budget = Budget(
                self.rate_limiter,
                budget_key(self._provider_id(), self.credential, self.model),
                self.rate_limits,
            )
        return self._budget


def estimate_tokens(body: Any) -> int:
    """A pre-call token estimate for a JSON request body: about four bytes a token,
    plus the output cap when the body names one (providers count it up front)."""
    import orjson

    size = len(orjson.dumps(body)) if body is not None else 0
    cap = 0
    if isinstance(body, dict):
        for name in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
            value = body.get(name)
            if isinstance(value, int):
                cap = value
                break
    return size // 4 + cap
