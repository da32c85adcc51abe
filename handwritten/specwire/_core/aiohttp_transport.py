"""An httpx transport that sends requests through aiohttp (its C HTTP/1.1 parser).

httpx stays the API every engine sees (requests, responses, timeouts, content
decoding); only the wire below it changes. aiohttp's failures are raised as the httpx
exceptions the engines already map, so behaviour is the same on both transports:

- timeouts: httpx's ``connect`` / ``read`` / ``pool`` become aiohttp's ``sock_connect`` /
  ``sock_read`` / ``connect`` (a per-read timeout, never a total);
- a body that ends early or a dropped connection raises ``httpx.RemoteProtocolError``;
- closing a response before its body ended closes the connection (never pools it);
- proxies: httpx reads them from the environment (``HTTPS_PROXY``, ``NO_PROXY``...) and
  mounts one transport per proxy, so the same URLs go through the same proxies;
  certificates verify through httpx's SSL context (``SSL_CERT_FILE`` included).

This module imports aiohttp, so it is imported only when a model first sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Iterator

import aiohttp
import httpx

_HTTP11 = {"http_version": b"HTTP/1.1"}
READ_BUFSIZE = 2**14  # buffered per connection; 64 KiB (the default) costs ~40 % more
# peak memory at 500 concurrent streams and reads no faster


@contextlib.contextmanager
def _mapped(request: httpx.Request) -> Iterator[None]:
    """Raise aiohttp's failures as the httpx exception of the same meaning."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
    except aiohttp.ClientProxyConnectionError as exc:
        raise httpx.ProxyError(str(exc), request=request) from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc
    except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError) as exc:
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc
    except aiohttp.ClientResponseError as exc:  # a malformed status line or headers
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
    except aiohttp.ClientConnectionError as exc:
        raise httpx.ReadError(str(exc), request=request) from exc
    except aiohttp.ClientError as exc:
        raise httpx.TransportError(str(exc), request=request) from exc


class _Body(httpx.AsyncByteStream):
    """A response body read as the socket delivers it (all bytes already there at once)."""

    __slots__ = ("_request", "_response")

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._response.content
        with _mapped(self._request):
            while True:
                chunk = await content.readany()
                if not chunk:
                    return
                yield chunk

    async def aclose(self) -> None:
        response = self._response
        if response.content.is_eof():
            response.release()  # fully read: the connection goes back to the pool
        else:
            response.close()  # cut short (cancelled, error): the connection is closed


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session (and connection pool) per event loop, created on first use."""

    def __init__(
        self,
        *,
        limits: httpx.Limits,
        trust_env: bool = True,
        verify: ssl.SSLContext | str | bool = True,
        proxy: httpx.Proxy | None = None,
    ) -> None:
        self._limits = limits
        self._proxy = proxy
        self._trust_env = trust_env
        self._ssl = verify if isinstance(verify, ssl.SSLContext) else None
        self._verify = verify
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _session_here(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and self._loop is loop and not session.closed:
            return session
        if session is not None:
            _abandon(session)  # made on a loop that is gone: its sockets are unusable here
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(verify=self._verify, trust_env=self._trust_env)
        connector = aiohttp.TCPConnector(
            limit=self._limits.max_connections or 0,
            limit_per_host=0,
            keepalive_timeout=self._limits.keepalive_expiry or 5.0,
            ssl=self._ssl,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            trust_env=False,  # httpx chose the proxy (or none) for this transport already
            auto_decompress=False,  # httpx decodes content-encoding, as on its own transport
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps cookies at its client level
            read_bufsize=READ_BUFSIZE,
        )
        self._loop = loop
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session_here()
        timeout = request.extensions.get("timeout", {})
        content = request.content if request.method != "GET" else None
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        proxy = self._proxy
        with _mapped(request):
            response = await session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=content or None,
                allow_redirects=False,
                compress=None,
                proxy=str(proxy.url) if proxy is not None else None,
                proxy_auth=aiohttp.BasicAuth(*proxy.auth) if proxy and proxy.auth else None,
                proxy_headers=dict(proxy.headers) if proxy is not None else None,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            )
        extensions = dict(_HTTP11)
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("latin-1", "replace")
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            if self._loop is asyncio.get_running_loop():
                await session.close()
            else:
                _abandon(session)

    def __del__(self) -> None:
        # A model dropped without aclose() (httpx allows it silently): close the sockets
        # now, so aiohttp does not report an unclosed session and connector at exit.
        session = self._session
        if session is not None:
            _abandon(session)


def _abandon(session: aiohttp.ClientSession) -> None:
    """Close a session's connections without awaiting (its loop may be gone)."""
    connector = session.connector
    if connector is not None and not connector.closed:
        with contextlib.suppress(Exception):
            connector._close()
