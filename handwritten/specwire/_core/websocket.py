"""Opening a provider websocket: one place for the URL, the handshake's errors, timeouts,
keep-alives and a logger that cannot leak a secret. Shared by realtime TTS and the
realtime (live voice) sessions.

The ``websockets`` library logs the whole handshake, ``Authorization`` header included,
at DEBUG on its own ``websockets.client`` logger. Every connection opened here gets a
``RedactingLogger`` instead: it never reports DEBUG as enabled (so the handshake is never
formatted) and scrubs the connection's secrets from anything it does log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from pydantic import Field, SecretStr

from .binding import EndpointBinding
from .contract import DialectOptions
from .credential import CredentialBase
from .error_body import ErrorFormat
from .errors import APIConnectionError, APITimeoutError
from .transport import error_from_response

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

LOGGER_NAME = "specwire.websocket"
_REDACTED = "[redacted]"


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger for one websocket: DEBUG (where the library prints headers) is always
    off, and the given secrets are replaced in every message and argument."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__(logging.getLogger(LOGGER_NAME), {})
        self._secrets = tuple(s for s in secrets if s)

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)

    def debug(self, msg: object, *args: object, **kwargs: Any) -> None:
        return None  # the handshake dumps live here

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        return self._scrub(msg), kwargs

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        if self._secrets:
            msg = self._scrub(str(msg) % args if args else msg)
            args = ()
        kwargs.pop("exc_info", None)  # a traceback's frames may hold the headers
        super().log(level, msg, *args, **kwargs)

    def _scrub(self, value: Any) -> Any:
        text = str(value)
        for secret in self._secrets:
            text = text.replace(secret, _REDACTED)
        return text


def credential_secrets(credential: CredentialBase) -> list[str]:
    """The plain values of a credential's secret fields (for redaction)."""
    out = []
    for name in type(credential).model_fields:
        value = getattr(credential, name, None)
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            if secret:
                out.append(secret)
    return out


class WsBasePath(DialectOptions):
    """How the HTTP base URL's path becomes the websocket root (a dialect option)."""

    from_: str = Field(alias="from")
    """The HTTP root path at the end of the base URL, e.g. ``/api/v1``."""
    to: str
    """What replaces it, e.g. ``/api-ws/v1``."""


def websocket_url(
    credential: CredentialBase,
    endpoint: EndpointBinding,
    model: str,
    ws_base_path: WsBasePath | None = None,
    extra_query: Mapping[str, str] | None = None,
) -> str:
    """The websocket URL of a realtime endpoint, derived from the credential's base URL
    so a proxy or a loopback server works: ``https`` becomes ``wss``, the base path's
    HTTP root becomes the websocket root (``ws_base_path``, e.g. ``/api/v1`` ->
    ``/api-ws/v1``), the endpoint path is appended (``{model}`` filled in), and the
    endpoint's stream query plus any query auth is added."""
    parts = urlsplit(credential.resolved_base_url())
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/")
    if ws_base_path is not None:
        source = ws_base_path.from_.rstrip("/")
        if source and path.endswith(source):
            path = path[: len(path) - len(source)] + ws_base_path.to.rstrip("/")
    path += (endpoint.stream_path or endpoint.path).replace("{model}", model)
    query = {k: v.replace("{model}", model) for k, v in endpoint.stream_query.items()}
    query.update(extra_query or {})
    query.update(credential.auth_query())
    return urlunsplit((scheme, parts.netloc, path, urlencode(query), ""))


async def open_websocket(
    url: str,
    headers: Mapping[str, str],
    *,
    provider: str,
    secrets: Iterable[str],
    errors: ErrorFormat,
    open_timeout: float,
    close_timeout: float,
    ping_interval: float | None = 20.0,
    ping_timeout: float | None = 20.0,
    max_size: int = 2**24,
    max_queue: int | None = 64,
) -> ClientConnection:
    """Open a websocket or raise the typed error its failure stands for: a refused
    handshake's answer read by ``errors`` (the dialect's error format; 401 ->
    ``AuthenticationError``...), a timeout, or a connection failure. Keep-alive pings run every ``ping_interval`` seconds; a peer
    that misses one for ``ping_timeout`` seconds is treated as gone."""
    # Imported here so URL building (and HTTP TTS) does not load websockets.
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus
    from websockets.exceptions import WebSocketException as WebSocketError

    try:
        return await connect(
            url,
            additional_headers=dict(headers),
            open_timeout=open_timeout,
            close_timeout=close_timeout,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
            compression=None,  # audio and base64 do not compress; save the CPU
            max_size=max_size,
            max_queue=max_queue,
            logger=RedactingLogger(secrets),
        )
    except InvalidStatus as exc:
        response = exc.response
        raise error_from_response(
            response.status_code, response.headers, bytes(response.body or b""), provider, errors
        ) from None  # the handshake request (and its headers) stays out of the chain
    except TimeoutError as exc:
        raise APITimeoutError("opening the websocket timed out", provider=provider) from exc
    except (OSError, WebSocketError) as exc:
        raise APIConnectionError(
            f"opening the websocket failed: {type(exc).__name__}", provider=provider
        ) from None
