"""Deterministic fake providers for embedding tests: each input's vector is derived
from its text, so any batching of the same inputs must give the same vectors."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import numpy as np

from specwire._testing.loopback import ReceivedRequest, Reply


def vector_for(text: str, dims: int = 8) -> np.ndarray:
    """A float32 vector that depends only on ``text`` and ``dims``."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(dims).astype(np.float32)


def _text_of(item: Any) -> str:
    return item if isinstance(item, str) else json.dumps(item, sort_keys=True)


def openai_reply(request: ReceivedRequest, base64_vectors: bool | None = None) -> Reply:
    """An OpenAI /embeddings answer for the request (base64 when it asked for it)."""
    body = request.json()
    dims = body.get("dimensions", 8)
    use_b64 = body.get("encoding_format") == "base64" if base64_vectors is None else base64_vectors
    data = []
    for index, text in enumerate(body["input"]):
        vec = vector_for(text, dims)
        value: Any = base64.b64encode(vec.tobytes()).decode() if use_b64 else vec.tolist()
        data.append({"object": "embedding", "index": index, "embedding": value})
    usage = {"prompt_tokens": len(body["input"]) * 3, "total_tokens": len(body["input"]) * 3}
    return Reply.json({"object": "list", "data": data, "model": body["model"], "usage": usage})


def gemini_reply(request: ReceivedRequest) -> Reply:
    """A batchEmbedContents answer: one vector per request, from its part."""
    body = request.json()
    out = []
    for item in body["requests"]:
        part = item["content"]["parts"][0]
        dims = item.get("outputDimensionality", 8)
        out.append({"values": vector_for(_text_of(part.get("text", part)), dims).tolist()})
    return Reply.json({"embeddings": out})


def ollama_reply(request: ReceivedRequest) -> Reply:
    """An /api/embed answer."""
    body = request.json()
    dims = body.get("dimensions", 8)
    vectors = [vector_for(t, dims).tolist() for t in body["input"]]
    return Reply.json(
        {"model": body["model"], "embeddings": vectors, "prompt_eval_count": len(vectors) * 2}
    )


def dashscope_reply(request: ReceivedRequest) -> Reply:
    """A DashScope text or multimodal embedding answer (in reverse order, as the API
    does not promise order: the index fields say where each belongs)."""
    body = request.json()
    dims = (body.get("parameters") or {}).get("dimension", 8)
    if "texts" in body["input"]:
        items = [
            {"text_index": i, "embedding": vector_for(t, dims).tolist()}
            for i, t in enumerate(body["input"]["texts"])
        ]
        usage = {"total_tokens": 5 * len(items)}
    else:
        items = [
            {
                "index": i,
                "type": next(iter(c)),
                "embedding": vector_for(_text_of(c.get("text", c)), dims).tolist(),
            }
            for i, c in enumerate(body["input"]["contents"])
        ]
        usage = {"input_tokens": 7 * len(items)}
    return Reply.json({"output": {"embeddings": items[::-1]}, "usage": usage, "request_id": "r1"})
