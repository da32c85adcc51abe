"""What a rate limit is, and whose budget a call draws on.

A budget belongs to one credential and one model at one base URL. Its key carries a
SHA-256 of the credential's secret, never the secret itself, so it can name shared
state in Redis or in logs without leaking the api key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._core.credential import CredentialBase


@dataclass(frozen=True)
class RateLimits:
    """Requests and tokens per minute (None: no limit of that kind).

    By default requests are paced evenly (600 RPM: one every 100 ms), so that no
    window of any length sees more than its share, whatever way the provider counts.
    ``burst_seconds`` lets a budget that sat idle run that far ahead of the steady
    rate (1.0 at 600 RPM: ten leave at once); a provider that counts in a sliding
    window may then see up to twice its rate within the first ``burst_seconds``."""

    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    burst_seconds: float = 0.0

    def __post_init__(self) -> None:
        for name in ("requests_per_minute", "tokens_per_minute"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be > 0 (or None for no limit)")
        if self.burst_seconds < 0:
            raise ValueError("burst_seconds must be >= 0")
        # every reservation needs these; work them out once
        object.__setattr__(self, "_intervals", self._work_out_intervals())

    @property
    def unlimited(self) -> bool:
        """No request or token budget (a shared ``Retry-After`` pause still applies)."""
        return self.requests_per_minute is None and self.tokens_per_minute is None

    @classmethod
    def from_mapping(cls, data: Mapping[str, float]) -> RateLimits:
        """Limits from spec data (``requests_per_minute``, ``tokens_per_minute``)."""
        return cls(
            requests_per_minute=data.get("requests_per_minute"),
            tokens_per_minute=data.get("tokens_per_minute"),
        )

    def intervals(self) -> tuple[float, float, float, float]:
        """``(seconds per request, burst tolerance, seconds per token, burst
        tolerance)`` for the GCRA arithmetic (0 interval: no limit of that kind)."""
        intervals: tuple[float, float, float, float] = self.__dict__["_intervals"]
        return intervals

    def _work_out_intervals(self) -> tuple[float, float, float, float]:
        per_request = 60.0 / self.requests_per_minute if self.requests_per_minute else 0.0
        per_token = 60.0 / self.tokens_per_minute if self.tokens_per_minute else 0.0
        # the burst allowance, less the request itself (which is conforming)
        tau_r = max(0.0, self.burst_seconds - per_request) if per_request else 0.0
        tau_t = self.burst_seconds if per_token else 0.0
        return per_request, tau_r, per_token, tau_t


def budget_key(provider: str, credential: CredentialBase, model: str) -> str:
    """``provider:credential-hash:model``; the hash covers the base URL and every
    secret field, so two keys on one account, or one key at two gateways, differ."""
    from pydantic import SecretStr

    try:
        base_url = credential.resolved_base_url()
    except AttributeError:  # a hand-written credential without a base URL
        base_url = ""
    digest = hashlib.sha256(type(credential).__name__.encode() + b"\0" + base_url.encode())
    for name in sorted(getattr(type(credential), "model_fields", {})):
        value = getattr(credential, name, None)
        if isinstance(value, SecretStr):
            digest.update(b"\0" + name.encode() + b"\0" + value.get_secret_value().encode())
    return f"{provider}:{digest.hexdigest()[:24]}:{model}"
