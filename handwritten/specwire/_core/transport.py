"""Sending requests: one httpx client per model, errors mapped to the hierarchy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from .errors import (
    APIConnectionError,
    APITimeoutError,
    ProviderError,
    ResponseFormatError,
    error_class_for_code,
    error_class_for_status,
)
from .retry import parse_retry_after

if TYPE_CHECKING:
    from .binding import EndpointBinding
    from .credential import CredentialBase

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=10.0)

ErrorReader = Callable[[Any], tuple[str | None, str | None]]
"""Reads ``(code, message)`` out of a decoded provider error body."""


def read_error_fields(body: Any) -> tuple[str | None, str | None]:
    """``(code, message)`` from the common error body shapes: ``{"error": {...}}``
    (OpenAI, Anthropic, Gemini), ``{"code", "message"}`` (DashScope), ``{"error": "..."}``
    (Ollama), and lists of those (Gemini JSON-array streams)."""
    if isinstance(body, list) and body:
        body = body[0]
    if not isinstance(body, dict):
        return None, str(body) if body else None
    err = body.get("error", body)
    if isinstance(err, str):
        return body.get("code") if isinstance(body.get("code"), str) else None, err
    if not isinstance(err, dict):
        return None, None
    code = err.get("code") or err.get("type") or err.get("status")
    if isinstance(code, int):
        code = err.get("status") or err.get("type") or str(code)
    message = err.get("message") or err.get("msg") or body.get("message")
    return (str(code) if code else None), (str(message) if message else None)


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
    reader: ErrorReader = read_error_fields,
) -> ProviderError:
    """The typed error an HTTP error answer stands for."""
    body = decode_json(raw)
    code, message = reader(body) if body is not None else (None, None)
    if not message:
        message = raw[:500].decode("utf-8", "replace").strip() or f"HTTP {status}"
    cls = error_class_for_code(code, error_class_for_status(status))
    return cls(
        message,
        status=status,
        code=code,
        provider=provider,
        request_id=headers.get("x-request-id") or headers.get("request-id"),
        retry_after=parse_retry_after(headers),
        body=body,
    )


class HttpTransport:
    """An httpx client created on first use (so a model can be built outside a loop)."""

    def __init__(self, timeout: httpx.Timeout | float | None = None) -> None:
        self._timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self._client: httpx.AsyncClient | None = None

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
        reader: ErrorReader = read_error_fields,
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
            raise error_from_response(response.status_code, response.headers, raw, provider, reader)
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
        kind = response.headers.get("content-type") or "no content type"
        shown = raw[:200].decode("utf-8", "replace")
        raise ResponseFormatError(
            f"the response is not JSON ({kind}): {shown!r}" if raw else "the response is empty",
            status=response.status_code,
            provider=provider,
        )
    return body


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
