"""Sending requests: one httpx client per model, errors mapped to the hierarchy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from .error_body import GENERIC_ERRORS, ErrorFormat
from .errors import APIConnectionError, APITimeoutError, ProviderError, ServerError
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


class HttpTransport:
    """An httpx client created on first use (so a model can be built outside a loop)."""

    def __init__(self, timeout: httpx.Timeout | float | None = None) -> None:
        self._timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self._client: httpx.AsyncClient | None = None

    def __getstate__(self) -> dict[str, Any]:
        # connections stay in their process; a worker opens its own on first use
        return {"_timeout": self._timeout, "_client": None}

    @property
    def client(self) -> httpx.AsyncClient:
        """The shared client."""
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(timeout=self._timeout, http2=False)
        return self._client

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
        request = self.client.build_request(
            method, url, content=content, headers=all_headers, params=params or None
        )
        try:
            response = await self.client.send(request, stream=True)
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
        """Close the client and its connections."""
        if self._client is not None:
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
    spec's fixed headers (and stream-only ones), then the call's own, later ones winning."""
    all_headers = credential.auth_headers()
    all_headers.update(endpoint.headers)
    all_query = credential.auth_query()
    if stream:
        all_headers.update(endpoint.stream_headers)
        all_query.update(endpoint.stream_query)
    all_headers.update(headers or {})
    all_query.update(query or {})
    return all_headers, all_query


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
        raise ProviderError(
            f"the response is not JSON: {raw[:200].decode('utf-8', 'replace')!r}",
            status=response.status_code,
            provider=provider,
        )
    return body
