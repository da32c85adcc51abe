"""The HTTP calls a batch makes: JSON, a multipart file upload, a file download.

They go to the batch base URL with the model's authentication and fixed headers,
draw on a batch budget (unlimited, but sharing a 429's ``Retry-After`` pause with
every process using the same limiter), and are retried by the model's policy; a create
or upload is retried only after a 429 or a failed connection, which mean nothing was
created.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx
import orjson

from .._core.binding import EndpointBinding
from .._core.credential import CredentialBase
from .._core.error_body import ErrorFormat
from .._core.errors import APIConnectionError, APITimeoutError, RateLimitError
from .._core.retry import RetryPolicy
from .._core.transport import (
    HttpTransport,
    error_from_response,
    read_json_body,
    request_address,
)
from .._ratelimit import Budget

T = TypeVar("T")


class BatchHttp:
    """Batch API calls for one model."""

    def __init__(
        self,
        transport: HttpTransport,
        credential: CredentialBase,
        endpoint: EndpointBinding,
        base_url: str,
        provider: str,
        errors: ErrorFormat,
        budget: Budget,
        retry: RetryPolicy,
    ) -> None:
        self.transport = transport
        self.credential = credential
        self.endpoint = endpoint
        self.base_url = base_url
        self.provider = provider
        self.errors = errors
        self.budget = budget
        self.retry = retry

    def _address(
        self, headers: Mapping[str, str] | None = None
    ) -> tuple[dict[str, str], dict[str, str]]:
        return request_address(self.credential, self.endpoint, headers=headers)

    async def _guarded(self, attempt: Callable[[], Awaitable[T]], creates: bool) -> T:
        async def once() -> T:
            await self.budget.acquire(0)
            try:
                return await attempt()
            except BaseException as error:
                await self.budget.observe(error)
                raise

        if not creates:
            return await self.retry.run(once)
        # Creating twice would submit twice: retry only what certainly created nothing.
        policy = RetryPolicy(
            max_retries=self.retry.max_retries, statuses=frozenset({429}), codes=frozenset()
        )
        retry = 0
        while True:
            try:
                return await once()
            except (RateLimitError, APIConnectionError) as error:
                if retry >= policy.max_retries:
                    raise
                retry += 1
                import asyncio

                await asyncio.sleep(policy.delay(retry, error))

    async def json(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        creates: bool = False,
        query: Mapping[str, str] | None = None,
    ) -> Any:
        """A JSON call; the decoded answer."""

        async def attempt() -> Any:
            headers, auth_query = self._address()
            response = await self.transport.open(
                method,
                self.base_url + path,
                provider=self.provider,
                json_body=body,
                headers=headers,
                params={**auth_query, **(query or {})},
                errors=self.errors,
            )
            return await read_json_body(response, self.provider)

        return await self._guarded(attempt, creates)

    async def upload(
        self, path: str, filename: str, content: bytes, fields: Mapping[str, str]
    ) -> Any:
        """A multipart upload of one file; the decoded answer."""

        async def attempt() -> Any:
            headers, query = self._address()
            headers.pop("content-type", None)
            response = await self._send(
                self.transport.client.build_request(
                    "POST",
                    self.base_url + path,
                    headers=headers,
                    params=query or None,
                    data=dict(fields),
                    files={"file": (filename, content, "application/jsonl")},
                )
            )
            return await read_json_body(response, self.provider)

        return await self._guarded(attempt, True)

    async def resumable_upload(
        self, path: str, content: bytes, mime_type: str, display_name: str
    ) -> Any:
        """Google's resumable upload: a start request naming the size and type answers
        with an upload URL, and one ``upload, finalize`` request sends the bytes; the
        decoded answer of the last."""

        async def attempt() -> Any:
            headers, query = self._address(
                {
                    "x-goog-upload-protocol": "resumable",
                    "x-goog-upload-command": "start",
                    "x-goog-upload-header-content-length": str(len(content)),
                    "x-goog-upload-header-content-type": mime_type,
                }
            )
            started = await self._send(
                self.transport.client.build_request(
                    "POST",
                    self.base_url + path,
                    headers=headers,
                    params=query or None,
                    json={"file": {"display_name": display_name}},
                )
            )
            await started.aclose()
            upload_url = started.headers.get("x-goog-upload-url")
            if not upload_url:
                raise APIConnectionError(
                    "the upload start answered without an x-goog-upload-url",
                    provider=self.provider,
                )
            auth, _ = self._address()
            auth.update({"x-goog-upload-offset": "0", "x-goog-upload-command": "upload, finalize"})
            finished = await self._send(
                self.transport.client.build_request(
                    "POST", upload_url, headers=auth, content=content
                )
            )
            return await read_json_body(finished, self.provider)

        return await self._guarded(attempt, True)

    async def download(self, path: str, query: Mapping[str, str] | None = None) -> bytes:
        """The raw bytes at ``path`` (a file's content, a results stream)."""

        async def attempt() -> bytes:
            headers, auth_query = self._address()
            response = await self._send(
                self.transport.client.build_request(
                    "GET",
                    self.base_url + path,
                    headers=headers,
                    params={**auth_query, **(query or {})} or None,
                )
            )
            try:
                return await response.aread()
            except httpx.HTTPError as exc:
                raise APIConnectionError(
                    f"reading a batch file failed: {exc}", provider=self.provider
                ) from exc
            finally:
                await response.aclose()

        return await self._guarded(attempt, False)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self.transport.client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise APITimeoutError(
                f"request timed out: {type(exc).__name__}", provider=self.provider
            ) from exc
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"connection failed: {type(exc).__name__}: {exc}", provider=self.provider
            ) from exc
        if response.status_code >= 400:
            try:
                raw = await response.aread()
            finally:
                await response.aclose()
            raise error_from_response(
                response.status_code, response.headers, raw, self.provider, self.errors
            )
        return response


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    """JSON Lines bytes."""
    return b"".join(orjson.dumps(line) + b"\n" for line in lines)


def parse_jsonl(raw: bytes) -> list[Any]:
    """The objects of a JSON Lines body (blank lines skipped)."""
    out: list[Any] = []
    for line in raw.splitlines():
        if line.strip():
            out.append(orjson.loads(line))
    return out
