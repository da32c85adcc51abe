"""Spec constants as the runtime sees them: generated classes hold these objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from .retry import RetryPolicy

StreamFormat = Literal["sse", "ndjson", "json-array", "websocket"]


@dataclass(frozen=True)
class AuthSpec:
    """How the secret reaches the provider: a header (with an optional scheme such as
    ``Bearer``) or a query parameter; ``field`` names the credential field."""

    field: str
    placement: Literal["header", "query", "none"] = "header"
    name: str = "Authorization"
    scheme: str | None = "Bearer"


@dataclass(frozen=True)
class WireParam:
    """Where one ``Parameters`` field goes in the request body: a path of keys, and an
    optional mapping of values (e.g. ``True`` -> ``"enabled"``)."""

    path: tuple[str, ...]
    values: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class EndpointBinding:
    """One wire dialect at one pair of endpoints."""

    dialect: str
    path: str
    stream_path: str | None = None
    stream_format: StreamFormat = "sse"
    stream_terminator: str | None = None
    stream_end_signal: bool = True
    """Whether a complete stream always ends with a completion signal; False (spec
    ``stream.end_signal: false``) for a server that legitimately sends none."""
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    """Query parameters of every request; ``{field}`` values name a credential field."""
    stream_headers: Mapping[str, str] = field(default_factory=dict)
    stream_query: Mapping[str, str] = field(default_factory=dict)
    fixed_body: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    errors: Mapping[str, Any] = field(default_factory=dict)

    def path_for(self, model: str) -> str:
        """The endpoint path with ``{model}`` replaced by the (URL-quoted) model name,
        for deployment- or model-addressed endpoints (Azure OpenAI)."""
        if "{model}" not in self.path:
            return self.path
        return self.path.replace("{model}", quote(model, safe=""))


BatchState = Literal[
    "pending", "running", "finalizing", "completed", "failed", "expired", "cancelling", "cancelled"
]
TERMINAL_BATCH_STATES: frozenset[str] = frozenset({"completed", "failed", "expired", "cancelled"})


@dataclass(frozen=True)
class BatchBinding:
    """A provider's batch API for one model family: the wire module that speaks it
    (``format``), whether requests go up as a file or inline, its endpoint paths
    (``{id}`` and ``{model}`` filled in), the endpoint JSONL lines name, a base-URL
    rewrite (DashScope batches live under its compatible mode), per-batch limits
    (``requests``, ``bytes``, ``inputs``, ``inputs_per_line``), and the provider's
    batch states mapped onto specwire's."""

    format: str
    input: Literal["file", "inline"]
    paths: Mapping[str, str]
    states: Mapping[str, BatchState]
    line_url: str | None = None
    base_path: Mapping[str, str] = field(default_factory=dict)
    limits: Mapping[str, int] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    def base_url(self, base_url: str) -> str:
        """The root URL batch requests go to (``base_path`` applied when it matches)."""
        trimmed = base_url.rstrip("/")
        old, new = self.base_path.get("from"), self.base_path.get("to")
        if old and new and trimmed.endswith(old):
            return trimmed[: -len(old)] + new
        return trimmed


@dataclass(frozen=True)
class ModelBinding:
    """Everything a generated model class binds: provider, endpoints, parameters'
    wire names, retryable failures, batch limits and cards."""

    provider: str
    family: Literal["chat", "embedding", "tts", "realtime"]
    endpoint: EndpointBinding
    variants: tuple[tuple[str, EndpointBinding], ...] = ()
    wire_params: Mapping[str, WireParam] = field(default_factory=dict)
    retry_statuses: frozenset[int] = frozenset({408, 409, 429, 500, 502, 503, 504})
    retry_codes: frozenset[str] = frozenset()
    batch_limits: Mapping[str, int] = field(default_factory=dict)
    cards_module: str | None = None
    rate_limits: Mapping[str, float] = field(default_factory=dict)
    """Default ``requests_per_minute`` / ``tokens_per_minute`` (the user may override)."""
    batch: BatchBinding | None = None
    """How the provider's batch API takes this family's requests (None: it has none)."""

    def retry_policy(self, max_retries: int, **delays: Any) -> RetryPolicy:
        """The retry policy for this model's spec'd retryable statuses and codes
        (``delays``: ``initial_delay``, ``max_delay``... when not the defaults)."""
        return RetryPolicy(
            max_retries=max_retries, statuses=self.retry_statuses, codes=self.retry_codes, **delays
        )

    def endpoint_for(self, base_url: str) -> EndpointBinding:
        """The endpoint binding for ``base_url``: a variant whose suffix it ends with,
        else the default (e.g. DashScope's compatible mode speaks the OpenAI dialect)."""
        trimmed = base_url.rstrip("/")
        for suffix, binding in self.variants:
            if trimmed.endswith(suffix):
                return binding
        return self.endpoint


def place_parameters(
    target: dict[str, Any], parameters: Mapping[str, Any], wire_params: Mapping[str, WireParam]
) -> None:
    """Put parameter values into ``target`` at their spec'd wire paths: under their own
    name when the spec gives no path, nowhere for ``x-wire: null`` (the wire module
    handles those itself), with ``x-wire-values`` applied. None means "not set"."""
    for name, value in parameters.items():
        if value is None:
            continue
        wire = wire_params.get(name)
        if wire is None:
            target[name] = value
            continue
        if not wire.path:
            continue
        if wire.values is not None:
            key = str(value).lower() if isinstance(value, bool) else str(value)
            value = wire.values.get(key, value)
        place = target
        for key in wire.path[:-1]:
            place = place.setdefault(key, {})
        place[wire.path[-1]] = value
