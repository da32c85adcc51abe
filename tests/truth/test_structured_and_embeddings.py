"""Structured output is checked against the whole JSON Schema and keeps every
attempt's cause; embeddings of the wrong size are refused and never cached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specwire._testing import LoopbackServer, ReceivedRequest, Reply
from specwire.credential import OpenAICredential
from specwire.embedding import FileEmbeddingCache, OpenAIEmbeddingModel
from specwire.errors import (
    EmbeddingBatchError,
    InvalidInputError,
    ResponseFormatError,
    StructuredOutputError,
)
from specwire.message import UserMsg
from specwire.model import OpenAIChatModel

from ..embedding.helpers import openai_reply

ASK = [UserMsg(name="user", content="Give me a")]
SCHEMA = {
    "type": "object",
    "properties": {
        "a": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["a"],
    "additionalProperties": False,
}


def _call(arguments: str) -> Reply:
    return Reply.json(
        {
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "c",
                                "type": "function",
                                "function": {
                                    "name": "generate_structured_output",
                                    "arguments": arguments,
                                },
                            }
                        ],
                    },
                }
            ]
        }
    )


def _model(url: str) -> OpenAIChatModel:
    return OpenAIChatModel(
        credential=OpenAICredential(api_key="sk-x", base_url=url),
        model="m",
        stream=False,
        max_retries=0,
    )


@pytest.mark.parametrize(
    ("arguments", "where"),
    [
        ('{"a": "not-an-int"}', "['a']"),
        ('{"a": -1}', "['a']"),
        ('{"a": 1, "tags": [1]}', "['tags'][0]"),
        ('{"a": 1, "extra": true}', "(the whole object)"),
    ],
)
async def test_an_answer_breaking_the_json_schema_is_refused_with_every_attempts_reason(
    arguments: str, where: str
) -> None:
    async with LoopbackServer([_call(arguments)]) as server:
        with pytest.raises(StructuredOutputError) as info:
            await _model(server.url).generate_structured_output(ASK, SCHEMA)
        assert len(server.requests) == 3  # forced, auto with an instruction, JSON as text
    error = info.value
    assert len(error.attempts) == 3
    assert all(where in str(cause) for cause in error.attempts)
    assert "1. forced tool call" in str(error) and "3. JSON asked for as text" in str(error)
    assert error.__cause__ is error.attempts[-1]


async def test_a_valid_answer_passes_the_full_schema() -> None:
    async with LoopbackServer([_call('{"a": 3, "tags": ["x"]}')]) as server:
        result = await _model(server.url).generate_structured_output(ASK, SCHEMA)
    assert result.content == {"a": 3, "tags": ["x"]}


async def test_the_reason_a_forced_call_was_refused_is_kept() -> None:
    def answer(request: ReceivedRequest) -> Reply:
        body = request.json()
        if isinstance(body.get("tool_choice"), dict):
            return Reply.json(
                {"error": {"message": "tool_choice forced is not supported with thinking"}},
                status=400,
            )
        return _call('{"a": 2}')

    async with LoopbackServer(answer) as server:
        result = await _model(server.url).generate_structured_output(ASK, SCHEMA)
    assert result.content == {"a": 2}

    def refuse(request: ReceivedRequest) -> Reply:
        return Reply.json({"error": {"message": "tool_choice forced is not supported"}}, status=400)

    async with LoopbackServer(refuse) as server:
        with pytest.raises(StructuredOutputError) as info:
            await _model(server.url).generate_structured_output(ASK, SCHEMA)
    assert "forced is not supported" in str(info.value.attempts[0])


async def test_an_invalid_schema_is_refused_before_any_request() -> None:
    async with LoopbackServer([_call("{}")]) as server:
        with pytest.raises(InvalidInputError, match="not valid"):
            await _model(server.url).generate_structured_output(ASK, {"type": "nonsense"})
        with pytest.raises(InvalidInputError, match="pydantic model class or a JSON schema"):
            await _model(server.url).generate_structured_output(ASK, "schema")  # type: ignore[arg-type]
        assert server.requests == []


# ---------------------------------------------------------------- embeddings
def _short_vectors(request: ReceivedRequest) -> Reply:
    body = request.json()
    data = [
        {"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]}
        for i, _ in enumerate(body["input"])
    ]
    return Reply.json({"object": "list", "data": data, "model": body["model"]})


async def test_vectors_of_another_size_are_refused_and_not_cached(tmp_path: Path) -> None:
    cache = FileEmbeddingCache(cache_dir=str(tmp_path))
    seen: list[ReceivedRequest] = []

    def answer(request: ReceivedRequest) -> Reply:
        seen.append(request)  # first a wrong size, then the right one
        return _short_vectors(request) if len(seen) == 1 else openai_reply(request)

    async with LoopbackServer(answer) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="sk-x", base_url=server.url),
            model="text-embedding-3-small",
            parameters=OpenAIEmbeddingModel.Parameters(dimensions=4),
            embedding_cache=cache,
            max_retries=0,
        )
        with pytest.raises(EmbeddingBatchError) as info:
            await model(["alpha"])
        cause = info.value.failures[0].error
        assert isinstance(cause, ResponseFormatError)
        assert "3 dimensions, 4 were asked for" in str(cause)
        # nothing wrong was cached: the next call asks again and gets the right size
        response = await model(["alpha"])
        assert response.source == "api" and len(response.embeddings[0]) == 4
        assert len(seen) == 2
        assert json.loads(seen[1].body)["dimensions"] == 4
