"""A loopback server speaking the documented batch APIs, for tests and benchmarks.

- OpenAI / DashScope compatible mode: ``POST /files`` (multipart, ``purpose=batch``),
  ``POST /batches``, ``GET /batches/{id}``, ``POST /batches/{id}/cancel``,
  ``GET /files/{id}/content`` (output and error files).
- Anthropic Message Batches: ``POST /v1/messages/batches``, ``GET …/{id}``,
  ``POST …/{id}/cancel``, ``GET …/{id}/results``.
- Gemini batch mode: ``POST /v1beta/models/{m}:batchGenerateContent`` and
  ``:asyncBatchEmbedContent`` (inline), ``GET /v1beta/batches/{id}``,
  ``POST /v1beta/batches/{id}:cancel``.

A batch advances one step each time it is read: it validates, then processes
``per_poll`` items a read (all by default), then finalizes and completes. Items whose
text holds ``FAIL`` fail with a 400 answer of the provider's shape; ``expire_after``
expires a batch after that many reads, with unprocessed items expired; a cancel takes
effect at the next read, keeping what was processed. Each item's answer is a real live
response body of its family (text echoed, vectors derived from the text), so clients
decode results with their live code.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .loopback import LoopbackServer, ReceivedRequest, Reply

DIMENSIONS = 8


def vector_for(text: str, dimensions: int = DIMENSIONS) -> list[float]:
    """A deterministic vector for ``text`` (its first value is its length)."""
    seed = sum(text.encode()) % 997
    return [float(len(text))] + [float((seed * (i + 3)) % 101) / 100 for i in range(dimensions - 1)]


@dataclass
class _Item:
    custom_id: str
    body: dict[str, Any]
    done: bool = False
    outcome: str = "pending"  # succeeded | failed | expired | cancelled


@dataclass
class _Batch:
    id: str
    kind: str  # openai | anthropic | gemini
    family: str  # chat | responses | embedding
    items: list[_Item]
    state: str = "validating"
    reads: int = 0
    cancel_requested: bool = False
    output_file: str | None = None
    error_file: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class BatchServer:
    """``async with BatchServer() as server:`` then point a credential's base URL at
    ``server.url`` (plus the provider's own prefix, e.g. ``/v1``)."""

    def __init__(
        self, per_poll: int | None = None, expire_after: int | None = None, refuse: bool = False
    ) -> None:
        self.per_poll = per_poll
        self.expire_after = expire_after
        self.refuse = refuse
        """Fail every batch at validation (OpenAI: ``failed`` with ``errors``)."""
        self.batches: dict[str, _Batch] = {}
        self.files: dict[str, bytes] = {}
        self._uploads: dict[str, int] = {}
        self._ids = itertools.count(1)
        self.loopback = LoopbackServer(self.handle)

    @property
    def url(self) -> str:
        return self.loopback.url

    @property
    def requests(self) -> list[ReceivedRequest]:
        return self.loopback.requests

    async def __aenter__(self) -> BatchServer:
        await self.loopback.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.loopback.__aexit__(*exc)

    # ------------------------------------------------------------ routing
    def handle(self, request: ReceivedRequest) -> Reply:
        """The answer to one request (usable by any server, e.g. a ``ThreadedServer``)."""
        path, method = request.path, request.method
        try:
            if path.endswith("/upload/v1beta/files") and method == "POST":
                return self._gemini_upload(request)
            m = re.search(r"/download/v1beta/(files/[^/:]+):download$", path)
            if m and method == "GET":
                return self._content(m.group(1))
            if path.endswith("/files") and method == "POST":
                return self._upload(request)
            m = re.search(r"/files/([^/]+)/content$", path)
            if m and method == "GET":
                return self._content(m.group(1))
            if path.endswith("/batches") and method == "POST" and "/messages/" not in path:
                return self._openai_create(request)
            m = re.search(r"/v1/messages/batches(?:/([^/]+))?(/cancel|/results)?$", path)
            if m:
                return self._anthropic(request, m.group(1), m.group(2))
            m = re.search(r"/models/([^/:]+):(batchGenerateContent|asyncBatchEmbedContent)$", path)
            if m:
                return self._gemini_create(request, m.group(1), m.group(2))
            m = re.search(r"/v1beta/(batches/[^/:]+)(:cancel)?$", path)
            if m:
                return self._gemini(m.group(1), bool(m.group(2)))
            m = re.search(r"/batches/([^/]+)(/cancel)?$", path)
            if m:
                return self._openai(m.group(1), bool(m.group(2)))
        except KeyError as exc:
            return Reply.json(
                {"error": {"message": f"not found: {exc}", "type": "not_found_error", "code": 404}},
                status=404,
            )
        return Reply.json({"error": {"message": f"no route {method} {path}"}}, status=404)

    # ------------------------------------------------------------ processing
    def _advance(self, batch: _Batch) -> None:
        batch.reads += 1
        if batch.state in ("completed", "failed", "expired", "cancelled"):
            return
        if batch.cancel_requested:
            for item in batch.items:
                if not item.done:
                    item.done, item.outcome = True, "cancelled"
            batch.state = "cancelled"
            return
        if batch.state == "validating":
            if self.refuse:
                batch.state = "failed"
                batch.meta["errors"] = {
                    "object": "list",
                    "data": [
                        {
                            "code": "invalid_json_line",
                            "message": "Line 1 is not valid for this endpoint.",
                            "line": 1,
                        }
                    ],
                }
                return
            batch.state = "in_progress"
            return
        if batch.state == "in_progress":
            todo = [i for i in batch.items if not i.done]
            for item in todo[: self.per_poll or len(todo)]:
                item.done = True
                item.outcome = (
                    "failed" if "FAIL" in _text_of(batch.family, item.body) else "succeeded"
                )
            if self.expire_after is not None and batch.reads >= self.expire_after:
                for item in batch.items:
                    if not item.done:
                        item.done, item.outcome = True, "expired"
                batch.state = "expired"
                return
            if all(i.done for i in batch.items):
                batch.state = "finalizing"
            return
        if batch.state == "finalizing":
            batch.state = "completed"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    # ------------------------------------------------------------ OpenAI
    def _upload(self, request: ReceivedRequest) -> Reply:
        fields, content = _multipart(request)
        if fields.get("purpose") != "batch" or content is None:
            return Reply.json(
                {
                    "error": {
                        "message": "purpose must be batch and a file given",
                        "type": "invalid_request_error",
                    }
                },
                status=400,
            )
        file_id = self._new_id("file-")
        self.files[file_id] = content
        return Reply.json(
            {
                "id": file_id,
                "object": "file",
                "bytes": len(content),
                "purpose": "batch",
                "filename": "batch.jsonl",
            }
        )

    def _openai_create(self, request: ReceivedRequest) -> Reply:
        body = request.json()
        raw = self.files[body["input_file_id"]]
        lines = [json.loads(line) for line in raw.splitlines() if line.strip()]
        endpoint = body["endpoint"]
        family = {"/v1/embeddings": "embedding", "/v1/responses": "responses"}.get(endpoint, "chat")
        if any(line.get("url") != endpoint for line in lines):
            return Reply.json(
                {
                    "error": {
                        "message": "every line's url must be the batch endpoint",
                        "type": "invalid_request_error",
                    }
                },
                status=400,
            )
        batch = _Batch(
            self._new_id("batch_"),
            "openai",
            family,
            [_Item(line["custom_id"], line["body"]) for line in lines],
            meta={
                "input_file_id": body["input_file_id"],
                "endpoint": endpoint,
                "completion_window": body.get("completion_window"),
            },
        )
        self.batches[batch.id] = batch
        return Reply.json(self._openai_view(batch))

    def _openai(self, batch_id: str, cancel: bool) -> Reply:
        batch = self.batches[batch_id]
        if cancel:
            batch.cancel_requested = True
            if batch.state not in ("completed", "failed", "expired", "cancelled"):
                batch.state = "cancelling"
            return Reply.json(self._openai_view(batch))
        self._advance(batch)
        if batch.state in ("completed", "expired", "cancelled") and batch.output_file is None:
            self._openai_files(batch)
        return Reply.json(self._openai_view(batch))

    def _openai_files(self, batch: _Batch) -> None:
        out: list[bytes] = []
        err: list[bytes] = []
        for n, item in enumerate(batch.items):
            if item.outcome == "succeeded":
                line = {
                    "id": f"batch_req_{n}",
                    "custom_id": item.custom_id,
                    "response": {
                        "status_code": 200,
                        "request_id": f"req_{n}",
                        "body": live_answer("openai", batch.family, item.body),
                    },
                    "error": None,
                }
                out.append(json.dumps(line).encode())
            elif item.outcome == "failed":
                line = {
                    "id": f"batch_req_{n}",
                    "custom_id": item.custom_id,
                    "response": {
                        "status_code": 400,
                        "request_id": f"req_{n}",
                        "body": {
                            "error": {
                                "message": "the request asked to fail",
                                "type": "invalid_request_error",
                                "code": "invalid_value",
                            }
                        },
                    },
                    "error": None,
                }
                err.append(json.dumps(line).encode())
            elif item.outcome in ("expired", "cancelled"):
                code = "batch_expired" if item.outcome == "expired" else "batch_cancelled"
                line = {
                    "id": f"batch_req_{n}",
                    "custom_id": item.custom_id,
                    "response": None,
                    "error": {
                        "code": code,
                        "message": f"This request was not executed: {item.outcome}.",
                    },
                }
                err.append(json.dumps(line).encode())
        if out:
            batch.output_file = self._new_id("file-")
            self.files[batch.output_file] = b"\n".join(out) + b"\n"
        if err:
            batch.error_file = self._new_id("file-")
            self.files[batch.error_file] = b"\n".join(err) + b"\n"

    def _openai_view(self, batch: _Batch) -> dict[str, Any]:
        done = sum(i.outcome == "succeeded" for i in batch.items)
        failed = sum(i.outcome in ("failed",) for i in batch.items)
        return {
            "id": batch.id,
            "object": "batch",
            "endpoint": batch.meta["endpoint"],
            "errors": batch.meta.get("errors"),
            "input_file_id": batch.meta["input_file_id"],
            "completion_window": batch.meta["completion_window"],
            "status": batch.state,
            "output_file_id": batch.output_file,
            "error_file_id": batch.error_file,
            "request_counts": {"total": len(batch.items), "completed": done, "failed": failed},
            "metadata": None,
        }

    def _content(self, file_id: str) -> Reply:
        return Reply(body=self.files[file_id], content_type="application/octet-stream")

    # ------------------------------------------------------------ Anthropic
    def _anthropic(
        self, request: ReceivedRequest, batch_id: str | None, action: str | None
    ) -> Reply:
        if batch_id is None:
            body = request.json()
            batch = _Batch(
                self._new_id("msgbatch_"),
                "anthropic",
                "chat",
                [_Item(r["custom_id"], r["params"]) for r in body["requests"]],
                state="in_progress",
            )
            self.batches[batch.id] = batch
            return Reply.json(self._anthropic_view(batch))
        batch = self.batches[batch_id]
        if action == "/cancel":
            batch.cancel_requested = True
            if batch.state not in ("completed", "expired", "cancelled"):
                batch.state = "cancelling"
                batch.meta["cancel_initiated_at"] = "2026-12-01T00:00:00Z"
            return Reply.json(self._anthropic_view(batch))
        if action == "/results":
            if self._anthropic_status(batch) != "ended":
                return Reply.json(
                    {
                        "type": "error",
                        "error": {"type": "invalid_request_error", "message": "batch not ended"},
                    },
                    status=400,
                )
            lines = []
            for item in batch.items:
                if item.outcome == "succeeded":
                    result: dict[str, Any] = {
                        "type": "succeeded",
                        "message": live_answer("anthropic", "chat", item.body),
                    }
                elif item.outcome == "failed":
                    result = {
                        "type": "errored",
                        "error": {
                            "type": "error",
                            "error": {
                                "type": "invalid_request_error",
                                "message": "the request asked to fail",
                            },
                        },
                    }
                else:
                    result = {"type": "canceled" if item.outcome == "cancelled" else "expired"}
                lines.append(json.dumps({"custom_id": item.custom_id, "result": result}).encode())
            # results are not in input order (the API does not promise it)
            lines.reverse()
            return Reply(body=b"\n".join(lines) + b"\n", content_type="application/binary")
        self._advance(batch)
        return Reply.json(self._anthropic_view(batch))

    @staticmethod
    def _anthropic_status(batch: _Batch) -> str:
        if batch.state in ("completed", "expired", "cancelled"):
            return "ended"
        return "canceling" if batch.state == "cancelling" else "in_progress"

    def _anthropic_view(self, batch: _Batch) -> dict[str, Any]:
        def count(outcome: str) -> int:
            return sum(i.outcome == outcome for i in batch.items)

        status = self._anthropic_status(batch)
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": {
                "processing": count("pending"),
                "succeeded": count("succeeded"),
                "errored": count("failed"),
                "canceled": count("cancelled"),
                "expired": count("expired"),
            },
            "ended_at": "2026-12-01T00:00:00Z" if status == "ended" else None,
            "created_at": "2026-12-01T00:00:00Z",
            "expires_at": "2026-12-02T00:00:00Z",
            "cancel_initiated_at": batch.meta.get("cancel_initiated_at"),
            "results_url": f"{self.url}/v1/messages/batches/{batch.id}/results"
            if status == "ended"
            else None,
        }

    # ------------------------------------------------------------ Gemini
    _GEMINI_STATES = {
        "validating": "BATCH_STATE_PENDING",
        "in_progress": "BATCH_STATE_RUNNING",
        "finalizing": "BATCH_STATE_RUNNING",
        "cancelling": "BATCH_STATE_RUNNING",
        "completed": "BATCH_STATE_SUCCEEDED",
        "failed": "BATCH_STATE_FAILED",
        "expired": "BATCH_STATE_EXPIRED",
        "cancelled": "BATCH_STATE_CANCELLED",
    }

    def _gemini_upload(self, request: ReceivedRequest) -> Reply:
        """The Files API's resumable upload: start, then one upload-and-finalize."""
        command = request.headers.get("x-goog-upload-command", "")
        if command == "start":
            if request.headers.get("x-goog-upload-protocol") != "resumable":
                return Reply.json(
                    {
                        "error": {
                            "code": 400,
                            "message": "resumable uploads only",
                            "status": "INVALID_ARGUMENT",
                        }
                    },
                    status=400,
                )
            upload_id = self._new_id("u")
            self._uploads[upload_id] = int(request.headers["x-goog-upload-header-content-length"])
            return Reply.json(
                {},
                headers={
                    "x-goog-upload-url": f"{self.url}/upload/v1beta/files?upload_id={upload_id}"
                },
            )
        upload_id = request.query.partition("upload_id=")[2]
        expected = self._uploads.pop(upload_id, None)
        if (
            "finalize" not in command
            or expected != len(request.body)
            or request.headers.get("x-goog-upload-offset") != "0"
        ):
            return Reply.json(
                {"error": {"code": 400, "message": "bad upload", "status": "INVALID_ARGUMENT"}},
                status=400,
            )
        name = "files/" + self._new_id("f")
        self.files[name] = request.body
        return Reply.json(
            {
                "file": {
                    "name": name,
                    "mimeType": "application/jsonl",
                    "sizeBytes": str(len(request.body)),
                    "state": "ACTIVE",
                }
            }
        )

    def _gemini_create(self, request: ReceivedRequest, model: str, method: str) -> Reply:
        body = request.json()["batch"]
        config = body["inputConfig"]
        family = "embedding" if method == "asyncBatchEmbedContent" else "chat"
        if "fileName" in config:
            lines = [
                json.loads(x) for x in self.files[config["fileName"]].splitlines() if x.strip()
            ]
            items = [_Item(str(line["key"]), line["request"]) for line in lines]
        else:
            inlined = config["requests"]["requests"]
            items = [
                _Item(str((r.get("metadata") or {}).get("key", n)), r["request"])
                for n, r in enumerate(inlined)
            ]
        batch = _Batch(
            "batches/" + self._new_id("b"),
            "gemini",
            family,
            items,
            meta={
                "model": f"models/{model}",
                "displayName": body.get("displayName"),
                "file": "fileName" in config,
            },
        )
        self.batches[batch.id] = batch
        return Reply.json(self._gemini_view(batch))

    def _gemini(self, batch_id: str, cancel: bool) -> Reply:
        batch = self.batches[batch_id]
        if cancel:
            batch.cancel_requested = True
            return Reply.json({})
        self._advance(batch)
        return Reply.json(self._gemini_view(batch))

    def _gemini_view(self, batch: _Batch) -> dict[str, Any]:
        kind = "EmbedContentBatch" if batch.family == "embedding" else "GenerateContentBatch"
        done = batch.state in ("completed", "failed", "expired", "cancelled")
        meta = {
            "@type": f"type.googleapis.com/google.ai.generativelanguage.v1main.{kind}",
            "model": batch.meta["model"],
            "displayName": batch.meta["displayName"],
            "name": batch.id,
            "state": self._GEMINI_STATES[batch.state],
            "batchStats": {
                "requestCount": str(len(batch.items)),
                "successfulRequestCount": str(sum(i.outcome == "succeeded" for i in batch.items)),
                "failedRequestCount": str(sum(i.outcome == "failed" for i in batch.items)),
                "pendingRequestCount": str(sum(i.outcome == "pending" for i in batch.items)),
            },
        }
        view: dict[str, Any] = {"name": batch.id, "metadata": meta, "done": done}
        if done:
            responses = []
            for item in batch.items:
                if item.outcome == "succeeded":
                    responses.append(
                        {
                            "response": live_answer("gemini", batch.family, item.body),
                            "metadata": {"key": item.custom_id},
                        }
                    )
                elif item.outcome == "failed":
                    responses.append(
                        {
                            "error": {
                                "code": 3,
                                "message": "the request asked to fail",
                                "status": "INVALID_ARGUMENT",
                            },
                            "metadata": {"key": item.custom_id},
                        }
                    )
            output: dict[str, Any] = {
                "@type": f"type.googleapis.com/google.ai.generativelanguage.v1main.{kind}Output"
            }
            if batch.meta["file"]:
                # a file in, a file out: {"key", "response" | "error"} lines
                name = batch.meta.setdefault("responses_file", "files/" + self._new_id("out"))
                lines = [
                    {"key": r["metadata"]["key"], **{k: v for k, v in r.items() if k != "metadata"}}
                    for r in responses
                ]
                self.files[name] = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
                output["responsesFile"] = name
            else:
                output["inlinedResponses"] = {"inlinedResponses": responses}
            view["response"] = output
        return view


# ---------------------------------------------------------------- live answers
def _text_of(family: str, body: dict[str, Any]) -> str:
    """The text a request carries (its last message, or its inputs)."""
    if family == "embedding":
        if "input" in body:
            value = body["input"]
            return " ".join(value) if isinstance(value, list) else str(value)
        return " ".join(p.get("text", "") for p in body.get("content", {}).get("parts", []))
    if "contents" in body:  # Gemini
        return " ".join(p.get("text", "") for p in body["contents"][-1].get("parts", []))
    if "input" in body:  # OpenAI Responses
        items = body["input"] if isinstance(body["input"], list) else [body["input"]]
        last = items[-1]
        content = last.get("content") if isinstance(last, dict) else last
    else:
        content = body["messages"][-1].get("content")
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content)


def live_answer(kind: str, family: str, body: dict[str, Any]) -> dict[str, Any]:
    """The body a live call of ``family`` in ``kind``'s format would have answered."""
    text = _text_of(family, body)
    if family == "embedding":
        if kind == "gemini":
            size = body.get("outputDimensionality") or DIMENSIONS
            return {"embedding": {"values": vector_for(text, size)}}
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        b64 = body.get("encoding_format") == "base64"
        data = []
        size = body.get("dimensions") or DIMENSIONS  # as asked, like the real service
        for n, item in enumerate(inputs):
            values = vector_for(str(item), size)
            embedding: Any = (
                base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode()
                if b64
                else values
            )
            data.append({"object": "embedding", "index": n, "embedding": embedding})
        return {
            "object": "list",
            "data": data,
            "model": body.get("model"),
            "usage": {"prompt_tokens": len(inputs) * 3, "total_tokens": len(inputs) * 3},
        }
    answer = f"echo: {text}"
    if kind == "anthropic":
        return {
            "id": "msg_batch",
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": [{"type": "text", "text": answer}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 5},
        }
    if kind == "gemini":
        return {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": answer}]},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 10,
                "candidatesTokenCount": 5,
                "totalTokenCount": 15,
            },
        }
    if family == "responses":
        return {
            "id": "resp_batch",
            "object": "response",
            "status": "completed",
            "model": body.get("model"),
            "output": [
                {
                    "type": "message",
                    "id": "msg_1",
                    "role": "assistant",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": answer, "annotations": []}],
                }
            ],
            "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
        }
    return {
        "id": "chatcmpl-batch",
        "object": "chat.completion",
        "model": body.get("model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def _multipart(request: ReceivedRequest) -> tuple[dict[str, str], bytes | None]:
    """The form fields and the file of a multipart/form-data body."""
    match = re.search(r"boundary=([^;]+)", request.headers.get("content-type", ""))
    if not match:
        return {}, None
    boundary = b"--" + match.group(1).strip('"').encode()
    fields: dict[str, str] = {}
    content = None
    for part in request.body.split(boundary):
        head, sep, data = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        data = data.removesuffix(b"\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name is None:
            continue
        if b"filename=" in head:
            content = data
        else:
            fields[name.group(1).decode()] = data.decode()
    return fields, content
