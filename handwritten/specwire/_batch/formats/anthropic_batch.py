"""Anthropic's Message Batches: requests go inline (``{"requests": [{"custom_id",
"params"}]}``), the batch reports ``processing_status`` and per-state request counts,
and once ended its results stream as JSONL: ``{"custom_id", "result": {"type":
"succeeded", "message"} | {"type": "errored", "error"} | {"type": "canceled"} |
{"type": "expired"}}``."""

from __future__ import annotations

from typing import Any

from ..._core.dialect import WireRequest
from ..._core.errors import ProviderError
from ..http import parse_jsonl
from ..shapes import BatchError, BatchLine, ItemState, LineResult, ProviderBatch
from .base import BatchFormat, counts

_RESULT_STATES: dict[str, ItemState] = {
    "succeeded": "succeeded",
    "errored": "failed",
    "canceled": "cancelled",
    "expired": "expired",
}


class AnthropicBatchFormat(BatchFormat):
    name = "anthropic_batch"
    families = frozenset({"chat"})
    inputs = frozenset({"inline"})
    paths = frozenset({"create", "get", "cancel", "results"})

    def line_body(self, custom_id: str, wire: WireRequest) -> dict[str, Any]:
        params = dict(wire.body)
        params.pop("stream", None)
        return {"custom_id": custom_id, "params": params}

    async def create(self, lines: list[BatchLine]) -> str:
        created = await self.http.json(
            "POST", self.path("create"), {"requests": [line.body for line in lines]}, creates=True
        )
        batch_id = created.get("id") if isinstance(created, dict) else None
        if not isinstance(batch_id, str):
            raise ProviderError(
                "the batch create answered without an id", provider=self.provider, body=created
            )
        return batch_id

    async def get(self, batch_id: str) -> ProviderBatch:
        body = await self.http.json("GET", self.path("get", id=batch_id))
        raw = body.get("processing_status") if isinstance(body, dict) else None
        if not isinstance(raw, str):
            raise ProviderError(
                "a batch answer without a processing_status", provider=self.provider, body=body
            )
        rc = body.get("request_counts") or {}
        found = counts(
            succeeded=rc.get("succeeded") or 0,
            failed=rc.get("errored") or 0,
            cancelled=rc.get("canceled") or 0,
            expired=rc.get("expired") or 0,
            pending=rc.get("processing") or 0,
        )
        state = self.state_of(raw)
        if state == "completed":
            # "ended" covers a cancel and the 24-hour window too; say which, as the
            # other providers' states do
            if found["cancelled"] and body.get("cancel_initiated_at"):
                state = "cancelled"
            elif found["expired"]:
                state = "expired"
        return ProviderBatch(batch_id, state, raw, found)

    async def cancel(self, batch_id: str) -> None:
        await self.http.json("POST", self.path("cancel", id=batch_id))

    async def results(self, batch_id: str, status: ProviderBatch) -> list[LineResult]:
        raw = await self.http.download(self.path("results", id=batch_id))
        out: list[LineResult] = []
        for item in parse_jsonl(raw):
            custom_id = str(item.get("custom_id"))
            result = item.get("result") or {}
            kind = _RESULT_STATES.get(str(result.get("type")), "failed")
            if kind == "succeeded":
                out.append(LineResult(custom_id, kind, body=result.get("message")))
                continue
            error = result.get("error")
            if kind == "failed" and isinstance(error, dict):
                err = self.item_error(error)
            else:  # canceled or expired: never run
                err = BatchError(
                    f"request {result.get('type')}", code=f"batch_{kind}", provider=self.provider
                )
            out.append(LineResult(custom_id, kind, error=err))
        return out
