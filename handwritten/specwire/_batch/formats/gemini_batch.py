"""Gemini batch mode: ``batchGenerateContent`` (chat) and ``asyncBatchEmbedContent``
(embeddings) take the requests inline, ``{"batch": {"displayName", "inputConfig":
{"requests": {"requests": [{"request", "metadata": {"key"}}]}}}}`` (up to 20 MB), or as
a JSONL file of ``{"key", "request"}`` lines uploaded through the Files API
(``inputConfig: {"fileName"}``, up to 2 GB). Either answers with a long-running
operation ``batches/…``; reading it gives the batch's ``state`` and ``batchStats``, and
once done ``inlinedResponses`` in input order or a ``responsesFile`` of ``{"key",
"response" | "error"}`` lines, an error being a ``google.rpc.Status``."""

from __future__ import annotations

from typing import Any

from ..._core.dialect import WireRequest
from ..._core.errors import ProviderError
from ..http import jsonl, parse_jsonl
from ..shapes import BatchLine, LineResult, ProviderBatch
from .base import BatchFormat, counts

# google.rpc.Code numbers that map onto HTTP statuses
_RPC_STATUS = {3: 400, 5: 404, 7: 403, 8: 429, 13: 500, 14: 503, 16: 401, 4: 504}


class GeminiBatchFormat(BatchFormat):
    name = "gemini_batch"
    families = frozenset({"chat", "embedding"})
    inputs = frozenset({"inline", "file"})
    paths = frozenset({"create", "get", "cancel"})

    def line_body(self, custom_id: str, wire: WireRequest) -> dict[str, Any]:
        request = wire.body
        if self.family == "embedding":
            # the live path sends batchEmbedContents {"requests": [one EmbedContentRequest
            # per input]}; a batch line is one EmbedContentRequest
            requests = request.get("requests") or [request]
            request = requests[0]
        if self.binding.input == "file":
            return {"key": custom_id, "request": request}
        return {"request": request, "metadata": {"key": custom_id}}

    def result_body(self, body: Any) -> Any:
        if self.family == "embedding" and isinstance(body, dict) and "embedding" in body:
            return {"embeddings": [body["embedding"]]}
        return body

    async def create(self, lines: list[BatchLine]) -> str:
        name = f"specwire-{lines[0].custom_id}"
        if self.binding.input == "file":
            uploaded = await self.http.resumable_upload(
                self.path("upload"), jsonl([line.body for line in lines]), "application/jsonl", name
            )
            file = uploaded.get("file") if isinstance(uploaded, dict) else None
            file_name = file.get("name") if isinstance(file, dict) else None
            if not isinstance(file_name, str):
                raise ProviderError(
                    "the file upload answered without a name", provider=self.provider, body=uploaded
                )
            source: dict[str, Any] = {"fileName": file_name}
        else:
            source = {"requests": {"requests": [line.body for line in lines]}}
        created = await self.http.json(
            "POST",
            self.path("create"),
            {"batch": {"displayName": name, "inputConfig": source}},
            creates=True,
        )
        batch_id = created.get("name") if isinstance(created, dict) else None
        if not isinstance(batch_id, str):
            raise ProviderError(
                "the batch create answered without a name", provider=self.provider, body=created
            )
        return batch_id

    async def _read(self, batch_id: str) -> dict[str, Any]:
        body = await self.http.json("GET", self.path("get", id=batch_id))
        if not isinstance(body, dict):
            raise ProviderError(
                "a batch answer that is not an object", provider=self.provider, body=body
            )
        return body

    @staticmethod
    def _batch_of(body: dict[str, Any]) -> dict[str, Any]:
        # an operation carries the batch in ``metadata``; batches.get may give it bare
        meta = body.get("metadata")
        return meta if isinstance(meta, dict) and "state" in meta else body

    async def get(self, batch_id: str) -> ProviderBatch:
        body = await self._read(batch_id)
        batch = self._batch_of(body)
        raw = batch.get("state")
        if not isinstance(raw, str):
            raise ProviderError("a batch answer without a state", provider=self.provider, body=body)
        state = self.state_of(raw)
        stats = batch.get("batchStats") or {}
        total, ok, failed, pending = (
            int(stats.get(k) or 0)
            for k in (
                "requestCount",
                "successfulRequestCount",
                "failedRequestCount",
                "pendingRequestCount",
            )
        )
        lost = 0 if state not in ("expired", "cancelled") else max(0, total - ok - failed)
        values: dict[str, int] = {
            "succeeded": ok,
            "failed": failed,
            "pending": 0 if lost else pending,
        }
        if lost:
            values[state] = lost
        error = body.get("error")
        message = error.get("message") if isinstance(error, dict) else None
        return ProviderBatch(batch_id, state, raw, counts(**values), message)

    async def cancel(self, batch_id: str) -> None:
        await self.http.json("POST", self.path("cancel", id=batch_id))

    async def results(self, batch_id: str, status: ProviderBatch) -> list[LineResult]:
        body = await self._read(batch_id)
        output = body.get("response") or self._batch_of(body).get("output") or {}
        items: list[Any] = (output.get("inlinedResponses") or {}).get("inlinedResponses") or []
        responses_file = output.get("responsesFile")
        if isinstance(responses_file, str) and responses_file:
            items = parse_jsonl(await self.http.download(self.path("content", id=responses_file)))
        out: list[LineResult] = []
        for position, item in enumerate(items):
            key = item.get("key", (item.get("metadata") or {}).get("key"))
            custom_id = str(key) if key is not None else f"#{position}"
            error = item.get("error")
            if isinstance(error, dict):
                # a google.rpc.Status, as a live error body holds it under "error"
                code = error.get("code")
                http_status = _RPC_STATUS.get(code) if isinstance(code, int) else None
                err = self.item_error({"error": error}, status=http_status)
                out.append(LineResult(custom_id, "failed", error=err))
            else:
                out.append(
                    LineResult(custom_id, "succeeded", body=self.result_body(item.get("response")))
                )
        return out
