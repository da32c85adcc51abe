"""OpenAI's Batch API (also DashScope's compatible mode): a JSONL file of requests is
uploaded (``purpose=batch``), a batch made from it, and the results read back from an
output file (succeeded lines and per-line provider errors) and an error file (lines
that failed, expired or were cancelled).

Line: ``{"custom_id", "method": "POST", "url": <line_url>, "body": <live body>}``.
Output line: ``{"id", "custom_id", "response": {"status_code", "body"}, "error"}``.
"""

from __future__ import annotations

from typing import Any

from ..._core.dialect import WireRequest
from ..._core.errors import ProviderError
from ..http import jsonl, parse_jsonl
from ..shapes import BatchError, BatchLine, ItemState, LineResult, ProviderBatch
from .base import BatchFormat, counts

_ITEM_STATE_OF_CODE: dict[str, ItemState] = {
    "batch_expired": "expired",
    "batch_cancelled": "cancelled",
    "batch_canceled": "cancelled",
}


class OpenAIBatchFormat(BatchFormat):
    name = "openai_batch"
    families = frozenset({"chat", "embedding"})
    inputs = frozenset({"file"})
    paths = frozenset({"upload", "create", "get", "cancel", "content"})
    needs_line_url = True

    def line_body(self, custom_id: str, wire: WireRequest) -> dict[str, Any]:
        body = dict(wire.body)
        body.pop("stream", None)
        body.pop("stream_options", None)
        return {
            "custom_id": custom_id,
            "method": "POST",
            "url": self.binding.line_url or wire.path,
            "body": body,
        }

    async def create(self, lines: list[BatchLine]) -> str:
        uploaded = await self.http.upload(
            self.path("upload"),
            "specwire-batch.jsonl",
            jsonl([line.body for line in lines]),
            {"purpose": "batch"},
        )
        file_id = uploaded.get("id") if isinstance(uploaded, dict) else None
        if not isinstance(file_id, str):
            raise ProviderError(
                "the file upload answered without an id", provider=self.provider, body=uploaded
            )
        created = await self.http.json(
            "POST",
            self.path("create"),
            {
                "input_file_id": file_id,
                "endpoint": self.binding.line_url,
                "completion_window": str(self.binding.options.get("completion_window", "24h")),
            },
            creates=True,
        )
        batch_id = created.get("id") if isinstance(created, dict) else None
        if not isinstance(batch_id, str):
            raise ProviderError(
                "the batch create answered without an id", provider=self.provider, body=created
            )
        return batch_id

    async def _read(self, batch_id: str) -> dict[str, Any]:
        body = await self.http.json("GET", self.path("get", id=batch_id))
        if not isinstance(body, dict) or not isinstance(body.get("status"), str):
            raise ProviderError(
                "a batch answer without a status", provider=self.provider, body=body
            )
        return body

    async def get(self, batch_id: str) -> ProviderBatch:
        body = await self._read(batch_id)
        state = self.state_of(body["status"])
        rc = body.get("request_counts") or {}
        total, done, failed = (int(rc.get(k) or 0) for k in ("total", "completed", "failed"))
        message = None
        errors = (
            (body.get("errors") or {}).get("data") if isinstance(body.get("errors"), dict) else None
        )
        if errors:
            message = "; ".join(str(e.get("message") or e.get("code")) for e in errors[:3])
        pending = (
            0 if state in ("completed", "failed", "expired", "cancelled") else total - done - failed
        )
        lost = total - done - failed - pending
        lost_as = {"expired": "expired", "cancelled": "cancelled"}.get(state, "failed")
        return ProviderBatch(
            batch_id,
            state,
            body["status"],
            counts(
                succeeded=done,
                failed=failed + (lost if lost_as == "failed" else 0),
                pending=pending,
                **({lost_as: lost} if lost_as != "failed" else {}),
            ),
            message,
        )

    async def cancel(self, batch_id: str) -> None:
        await self.http.json("POST", self.path("cancel", id=batch_id), creates=False)

    async def results(self, batch_id: str, status: ProviderBatch) -> list[LineResult]:
        body = await self._read(batch_id)
        out: list[LineResult] = []
        for key in ("output_file_id", "error_file_id"):
            file_id = body.get(key)
            if isinstance(file_id, str) and file_id:
                raw = await self.http.download(self.path("content", id=file_id))
                out.extend(self._line_result(item) for item in parse_jsonl(raw))
        return out

    def _line_result(self, item: Any) -> LineResult:
        custom_id = str(item.get("custom_id"))
        response = item.get("response") or {}
        status = response.get("status_code")
        error = item.get("error")
        if isinstance(error, dict) and error:
            # not run at all (expired, cancelled) or refused by the batch itself
            code = error.get("code")
            state = _ITEM_STATE_OF_CODE.get(str(code), "failed")
            err = self.item_error({"error": error}, default=BatchError)
            return LineResult(custom_id, state, error=err)
        if isinstance(status, int) and status >= 400:
            err = self.item_error(response.get("body"), status=status, fallback=f"HTTP {status}")
            return LineResult(custom_id, "failed", error=err)
        return LineResult(custom_id, "succeeded", body=response.get("body"))
