"""Sending requests: one httpx client per model, errors mapped to the hierarchy."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from .error_body import GENERIC_ERRORS, ErrorFormat
from .errors import (
    APIConnectionError,
    APITimeoutError,
    ProviderError,
    ResponseFormatError,
    ServerError,
)
from .retry import parse_retry_after

if TYPE_CHECKING:
    from .binding import EndpointBinding
    from .credential import CredentialBase

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=10.0)


def decode_json(raw: bytes) -> Any:
    """Parse JSON bytes; None when they are not JSON."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    raw: bytes,
    provider: str,
    errors: ErrorFormat = GENERIC_ERRORS,
) -> ProviderError:
    """The typed error an HTTP error answer stands for, its body read by ``errors``
    (the dialect's error format)."""
    body = decode_json(raw)
    return errors.error(
        body,
        provider=provider,
        http_status=status,
        default=ServerError if status >= 500 else ProviderError,
        fallback=raw[:500].decode("utf-8", "replace").strip() or f"HTTP {status}",
        request_id=headers.get("x-request-id") or headers.get("request-id"),
        retry_after=parse_retry_after(headers),
    )


TRANSPORTS = ("aiohttp", "httpx", "http2")
"""``aiohttp``: httpx's API over aiohttp's C HTTP/1.1 parser (the default when aiohttp is
installed); ``httpx``: httpx's own HTTP/1.1 transport; ``http2``: httpx's transport with
HTTP/2 offered (needs the ``h2`` package, ``pip install httpx[http2]``)."""

TRANSPORT_ENV = "SPECWIRE_TRANSPORT"
DEFAULT_MAX_CONNECTIONS = 100


def choose_transport(transport: str | None) -> str:
    """The transport a model uses: ``transport`` if given, else ``$SPECWIRE_TRANSPORT``,
    else aiohttp where it is installed, else httpx."""
    name = transport or os.environ.get(TRANSPORT_ENV) or None
    if name is not None and name not in TRANSPORTS:
        source = "transport" if transport else TRANSPORT_ENV
        raise ValueError(f"{source} must be one of {', '.join(TRANSPORTS)}, not {name!r}")
    aiohttp_installed = importlib.util.find_spec("aiohttp") is not None
    if name is None:
        return "aiohttp" if aiohttp_installed else "httpx"
    if name == "aiohttp" and not aiohttp_installed:
        raise ValueError("transport 'aiohttp' needs the aiohttp package installed")
    return name


class HttpTransport:
    """A model's HTTP client, created on first use (so a model can be built outside a
    loop), or the user's own ``http_client``, which specwire never closes.

    ``max_connections`` bounds the pool (default 100, as httpx's); ``default_headers``
    go on every request and win over specwire's own (a gateway can replace auth);
    proxies and certificates come from the environment on both transports."""

    def __init__(
        self,
        timeout: httpx.Timeout | float | None = None,
        *,
        transport: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_connections: int | None = None,
    ) -> None:
        if max_connections is not None and max_connections < 1:
            raise ValueError("max_connections must be >= 1")
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError(
                f"http_client must be an httpx.AsyncClient, not {type(http_client).__name__}"
            )
        self._timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        # a user's client keeps its own timeout unless the model was given one
        self._request_timeout: Any = timeout if http_client is not None else None
        self._own = http_client is None
        self.name = "user" if http_client is not None else choose_transport(transport)
        self._max_connections = max_connections or DEFAULT_MAX_CONNECTIONS
        self._default_headers = dict(default_headers or {})
        self._client: httpx.AsyncClient | None = http_client

    def __getstate__(self) -> dict[str, Any]:
        # connections stay in their process; a worker opens its own on first use
        if not self._own:
            raise TypeError("a model given its own http_client= cannot be pickled")
        state = dict(self.__dict__)
        state["_client"] = None
        return state

    @property
    def client(self) -> httpx.AsyncClient:
        """The shared client."""
        client = self._client
        if client is None or (self._own and client.is_closed):
            client = self._client = self._new_client()
        return client

    def _new_client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(
            max_connections=self._max_connections,
            max_keepalive_connections=min(20, self._max_connections),
        )
        if self.name == "aiohttp":
            return _AiohttpClient(timeout=self._timeout, limits=limits, trust_env=True)
        return httpx.AsyncClient(timeout=self._timeout, limits=limits, http2=self.name == "http2")

    async def open(
        self,
        method: str,
        url: str,
        *,
        provider: str,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        errors: ErrorFormat = GENERIC_ERRORS,
    ) -> httpx.Response:
        """Send a request and return the response with its body unread; raise the typed
        error for an error status (reading its body first) or a transport failure."""
        content = orjson.dumps(json_body) if json_body is not None else None
        all_headers = {"content-type": "application/json"} if content is not None else {}
        if headers:
            all_headers.update(headers)
        if self._default_headers:
            all_headers.update(self._default_headers)
        client = self.client
        extra: dict[str, Any] = {}
        if self._request_timeout is not None:
            extra["timeout"] = self._request_timeout
        request = client.build_request(
            method, url, content=content, headers=all_headers, params=params or None, **extra
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise APITimeoutError(
                f"request timed out: {type(exc).__name__}", provider=provider
            ) from exc
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"connection failed: {type(exc).__name__}: {exc}", provider=provider
            ) from exc
        if response.status_code >= 400:
            try:
                raw = await response.aread()
            except httpx.HTTPError:
                raw = b""
            finally:
                await response.aclose()
            raise error_from_response(response.status_code, response.headers, raw, provider, errors)
        return response

    async def aclose(self) -> None:
        """Close the client and its connections (never a user's client)."""
        if self._own and self._client is not None:
            await self._client.aclose()
            self._client = None


def request_address(
    credential: CredentialBase,
    endpoint: EndpointBinding,
    *,
    stream: bool = False,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and query parameters of a request to ``endpoint``: authentication, the
    spec's fixed headers and query (and stream-only ones), then the call's own, later ones
    winning."""
    all_headers = credential.auth_headers()
    all_headers.update(endpoint.headers)
    all_query = credential.auth_query()
    for name, value in endpoint.query.items():
        all_query[name] = _credential_value(credential, value)
    if stream:
        all_headers.update(endpoint.stream_headers)
        all_query.update(endpoint.stream_query)
    all_headers.update(headers or {})
    all_query.update(query or {})
    return all_headers, all_query


def _credential_value(credential: CredentialBase, value: str) -> str:
    """``value``, or the credential field it names as ``{field}``."""
    if value.startswith("{") and value.endswith("}"):
        named = value[1:-1]
        found = credential.secret(named)
        if found is None:
            raise ValueError(
                f"{type(credential).__name__} has no value for {named!r}, which the spec "
                "sends as a query parameter"
            )
        return found
    return value


async def read_json_body(response: httpx.Response, provider: str) -> Any:
    """The whole body of ``response`` as JSON (the response is closed afterwards)."""
    try:
        raw = await response.aread()
    except httpx.HTTPError as exc:
        raise APIConnectionError(f"reading the response failed: {exc}", provider=provider) from exc
    finally:
        await response.aclose()
    body = decode_json(raw)
    if body is None:
        kind = response.headers.get("content-type") or "no content type"
        shown = raw[:200].decode("utf-8", "replace")
        raise ResponseFormatError(
            f"the response is not JSON ({kind}): {shown!r}" if raw else "the response is empty",
            status=response.status_code,
            provider=provider,
        )
    return body


class _AiohttpClient(httpx.AsyncClient):
    """An httpx client whose every transport (direct and per-proxy, as httpx mounts them
    from the environment) is the aiohttp one."""

    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
        return self._aiohttp(None, kwargs)

    def _init_proxy_transport(
        self, proxy: httpx.Proxy, *args: Any, **kwargs: Any
    ) -> httpx.AsyncBaseTransport:
        return self._aiohttp(proxy, kwargs)

    @staticmethod
    def _aiohttp(proxy: httpx.Proxy | None, kwargs: dict[str, Any]) -> httpx.AsyncBaseTransport:
        from .aiohttp_transport import AiohttpTransport

        return AiohttpTransport(
            limits=kwargs.get("limits", httpx.Limits(max_connections=DEFAULT_MAX_CONNECTIONS)),
            trust_env=kwargs.get("trust_env", True),
            verify=kwargs.get("verify", True),
            proxy=proxy,
        )


# Bodies a stream request can never legitimately get: a captive portal's or a proxy's
# sign-in page answers with 200 and HTML.
_PAGE_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml")


def check_stream_content_type(response: httpx.Response, provider: str) -> None:
    """Raise ``ResponseFormatError`` when a stream request was answered with a web page."""
    kind = response.headers.get("content-type", "").lower()
    if kind.startswith(_PAGE_TYPES):
        raise ResponseFormatError(
            f"a stream was asked for, but the answer is {kind.split(';')[0]} (a proxy's or "
            "captive portal's page?)",
            status=response.status_code,
            provider=provider,
        )
