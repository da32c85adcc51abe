"""The Gemini dialect end to end, against a loopback server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from specwire._dialects.gemini import PartialArgsWriter
from specwire._testing import LoopbackServer, Reply, sse_body
from specwire.credential import GeminiCredential
from specwire.errors import (
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    RateLimitError,
    ServerError,
)
from specwire.message import SystemMsg, TextBlock, ThinkingBlock, ToolCallBlock, UserMsg
from specwire.model import ChatResponse, GeminiChatModel

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "weather",
            "description": "Weather of a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]
HELLO = [UserMsg(name="user", content="hi")]
SIG_CALL = "CiQBcall=="
SIG_TEXT = "CiQBtext=="


def chunk(
    parts: list[dict[str, Any]], usage: dict[str, Any] | None = None, finish: Any = None
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish is not None:
        candidate["finishReason"] = finish
    out: dict[str, Any] = {
        "candidates": [candidate],
        "modelVersion": "gemini-test",
        "responseId": "resp1",
    }
    if usage is not None:
        out["usageMetadata"] = usage
    return out


def usage(candidates: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"promptTokenCount": 30, "thoughtsTokenCount": 12}
    if candidates is not None:
        out["candidatesTokenCount"] = candidates
    return out


# One answer: thought summary, text, a whole call (signed), a call streamed as partialArgs,
# and a signed empty text part at the end; cumulative usage on every chunk.
CHUNKS: list[dict[str, Any]] = [
    chunk([{"text": "Two cities, ", "thought": True}], usage(None)),
    chunk([{"text": "two calls.", "thought": True}], usage(None)),
    chunk([{"text": "Checking "}], usage(2)),
    chunk([{"text": "both…"}], usage(4)),
    chunk(
        [
            {
                "functionCall": {"name": "weather", "args": {"city": "Paris"}},
                "thoughtSignature": SIG_CALL,
            }
        ],
        usage(9),
    ),
    chunk([{"functionCall": {"name": "weather", "willContinue": True}}], usage(9)),
    chunk(
        [
            {
                "functionCall": {
                    "partialArgs": [
                        {"jsonPath": "$.city", "stringValue": "Ro", "willContinue": True}
                    ],
                    "willContinue": True,
                }
            }
        ],
        usage(10),
    ),
    chunk(
        [
            {
                "functionCall": {
                    "partialArgs": [{"jsonPath": "$.city", "stringValue": "me"}],
                    "willContinue": True,
                }
            }
        ],
        usage(11),
    ),
    chunk([{"functionCall": {}}], usage(12)),
    chunk([{"text": "", "thoughtSignature": SIG_TEXT}], usage(14), finish="STOP"),
]
WHOLE: dict[str, Any] = chunk(
    [
        {"text": "Two cities, two calls.", "thought": True},
        {"text": "Checking both…"},
        {
            "functionCall": {"name": "weather", "args": {"city": "Paris"}},
            "thoughtSignature": SIG_CALL,
        },
        {"functionCall": {"name": "weather", "args": {"city": "Rome"}}},
        {"text": "", "thoughtSignature": SIG_TEXT},
    ],
    usage(14),
    finish="STOP",
)


def stream_bytes(chunks: list[dict[str, Any]] = CHUNKS) -> bytes:
    return b"".join(sse_body(chunks, done=False))


def array_bytes(chunks: list[dict[str, Any]] = CHUNKS) -> bytes:
    return ("[" + ",\n".join(json.dumps(c, indent=1) for c in chunks) + "]").encode()


def gemini(server: LoopbackServer, **kwargs: Any) -> GeminiChatModel:
    cred = GeminiCredential(api_key="AIza-secret-123", base_url=server.url)
    return GeminiChatModel(credential=cred, model="gemini-test", **{"max_retries": 0, **kwargs})


async def collect(
    model: GeminiChatModel, msgs: list[Any] = HELLO, **kwargs: Any
) -> list[ChatResponse]:
    stream = await model(msgs, **kwargs)
    assert not isinstance(stream, ChatResponse)
    return [c async for c in stream]


def summary(blocks: list[Any]) -> tuple[str, str, list[tuple[str, Any]]]:
    text = "".join(b.text for b in blocks if isinstance(b, TextBlock))
    thinking = "".join(b.thinking for b in blocks if isinstance(b, ThinkingBlock))
    calls = [(b.name, json.loads(b.input)) for b in blocks if isinstance(b, ToolCallBlock)]
    return text, thinking, calls


async def sent(
    model_kwargs: dict[str, Any], msgs: list[Any] = HELLO, **call: Any
) -> tuple[Any, dict[str, Any]]:
    async with LoopbackServer([Reply.json(WHOLE)]) as server:
        await gemini(server, stream=False, **model_kwargs)(msgs, **call)
        request = server.requests[0]
    return request, request.json()


# ---------------------------------------------------------------------- requests
async def test_paths_key_header_and_stream_query() -> None:
    request, body = await sent({}, [SystemMsg(name="s", content="Be brief."), *HELLO])
    assert request.path == "/v1beta/models/gemini-test:generateContent" and request.query == ""
    assert request.headers["x-goog-api-key"] == "AIza-secret-123"
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert body["contents"] == [{"role": "user", "parts": [{"text": "hi"}]}]
    assert "model" not in body
    async with LoopbackServer(
        [Reply(body=stream_bytes(), content_type="text/event-stream")]
    ) as server:
        await collect(gemini(server))
        streamed = server.requests[0]
    assert streamed.path == "/v1beta/models/gemini-test:streamGenerateContent"
    assert streamed.query == "alt=sse"


async def test_tools_tool_config_and_generation_config() -> None:
    params = GeminiChatModel.Parameters(
        temperature=0.4, top_p=0.9, top_k=20, max_tokens=300, stop=["END"], seed=7
    )
    _, body = await sent({"parameters": params}, tools=TOOLS, tool_choice="weather")
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "weather",
                    "description": "Weather of a city.",
                    "parametersJsonSchema": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                    },
                }
            ]
        }
    ]
    assert body["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["weather"]}
    }
    assert body["generationConfig"] == {
        "temperature": 0.4,
        "topP": 0.9,
        "topK": 20,
        "maxOutputTokens": 300,
        "stopSequences": ["END"],
        "seed": 7,
    }
    for choice, mode in (("auto", "AUTO"), ("none", "NONE"), ("required", "ANY")):
        _, body = await sent({}, tools=TOOLS, tool_choice=choice)
        assert body["toolConfig"] == {"functionCallingConfig": {"mode": mode}}


async def test_thinking_switches_map_to_thinking_config() -> None:
    on = GeminiChatModel.Parameters(thinking_enable=True, thinking_budget=1024)
    _, body = await sent({"parameters": on})
    assert body["generationConfig"]["thinkingConfig"] == {
        "includeThoughts": True,
        "thinkingBudget": 1024,
    }
    _, body = await sent({"parameters": GeminiChatModel.Parameters(thinking_enable=False)})
    assert body["generationConfig"]["thinkingConfig"] == {
        "includeThoughts": False,
        "thinkingBudget": 0,
    }
    level = GeminiChatModel.Parameters(thinking_enable=True, thinking_level="low")
    _, body = await sent({"parameters": level})
    assert body["generationConfig"]["thinkingConfig"] == {
        "includeThoughts": True,
        "thinkingLevel": "low",
    }


# ---------------------------------------------------------------------- responses
async def test_sse_stream_keeps_thoughts_signatures_and_partial_calls() -> None:
    async with LoopbackServer(
        [Reply(body=stream_bytes(), content_type="text/event-stream")]
    ) as server:
        chunks = await collect(gemini(server), tools=TOOLS)
    final = chunks[-1]
    assert summary(final.content) == (
        "Checking both…",
        "Two cities, two calls.",
        [("weather", {"city": "Paris"}), ("weather", {"city": "Rome"})],
    )
    kinds = [type(b).__name__ for b in final.content]
    assert kinds == [
        "ThinkingBlock",
        "TextBlock",
        "ToolCallBlock",
        "ToolCallBlock",
        "ThinkingBlock",
    ]
    paris, rome = (b for b in final.content if isinstance(b, ToolCallBlock))
    assert (
        getattr(paris, "signature", None) == SIG_CALL and getattr(paris, "origin", None) == "gemini"
    )
    assert getattr(rome, "signature", None) is None
    assert paris.id != rome.id and paris.id.startswith("gemini_call_resp1")
    carrier = final.content[-1]
    assert isinstance(carrier, ThinkingBlock) and (carrier.thinking, carrier.signature) == (
        "",
        SIG_TEXT,
    )
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.output_tokens, final.usage.reasoning_tokens) == (
        30,
        26,
        12,
    )
    assert all(c.usage is None for c in chunks[:-1])


async def test_json_array_stream_is_read_when_json_comes_back() -> None:
    reply = Reply(body=[array_bytes()[i : i + 97] for i in range(0, len(array_bytes()), 97)])
    async with LoopbackServer([reply]) as server:
        chunks = await collect(gemini(server), tools=TOOLS)
    assert summary(chunks[-1].content)[2] == [
        ("weather", {"city": "Paris"}),
        ("weather", {"city": "Rome"}),
    ]
    assert len(chunks) > 2


async def test_whole_response_with_integer_enums_and_gemini_ids() -> None:
    body = chunk(
        [{"functionCall": {"name": "calc", "args": {"expr": "15 * 7"}, "id": "call_883098"}}],
        {"promptTokenCount": 21, "candidatesTokenCount": 7},
        finish=1,
    )
    body["candidates"][0]["safetyRatings"] = [{"category": 8, "probability": 1}]
    async with LoopbackServer([Reply.json(body)]) as server:
        response = await gemini(server, stream=False)(HELLO, tools=TOOLS)
    assert isinstance(response, ChatResponse)
    call = response.content[0]
    assert isinstance(call, ToolCallBlock) and (call.id, call.name) == ("call_883098", "calc")
    assert response.usage is not None and (
        response.usage.input_tokens,
        response.usage.output_tokens,
    ) == (21, 7)


def test_partial_args_writer_handles_nesting_arrays_and_types() -> None:
    writer = PartialArgsWriter()
    pieces = [writer.start()]
    items = [
        {"jsonPath": "$.title", "stringValue": "Tri"},
        {"jsonPath": "$.title", "stringValue": 'p "A"'},
        {"jsonPath": "$.stops[0].city", "stringValue": "Oslo"},
        {"jsonPath": "$.stops[0].days", "numberValue": 2},
        {"jsonPath": "$.stops[1].city", "stringValue": "Bergen"},
        {"jsonPath": "$.budget.max", "numberValue": 1.5},
        {"jsonPath": "$.budget.flexible", "boolValue": True},
        {"jsonPath": "$.note", "nullValue": None},
    ]
    pieces += [writer.feed([item]) for item in items]
    pieces.append(writer.close())
    assert json.loads("".join(pieces)) == {
        "title": 'Trip "A"',
        "stops": [{"city": "Oslo", "days": 2}, {"city": "Bergen"}],
        "budget": {"max": 1.5, "flexible": True},
        "note": None,
    }


# ---------------------------------------------------------------------- errors
async def test_error_bodies_map_to_typed_errors() -> None:
    invalid_key = {
        "error": {
            "code": 400,
            "message": "API key not valid.",
            "status": "INVALID_ARGUMENT",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
            ],
        }
    }
    cases = [
        (invalid_key, 400, AuthenticationError),
        (
            {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}},
            429,
            RateLimitError,
        ),
        (
            {"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}},
            400,
            BadRequestError,
        ),
        ({"error": {"code": 503, "message": "busy", "status": "UNAVAILABLE"}}, 503, ServerError),
    ]
    for body, status, error in cases:
        async with LoopbackServer([Reply.json(body, status=status)]) as server:
            with pytest.raises(error) as caught:
                await gemini(server, stream=False)(HELLO)
        assert caught.value.status == status
        assert "AIza-secret-123" not in str(caught.value)


async def test_error_inside_a_stream_and_blocked_prompt() -> None:
    events = [CHUNKS[2], {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}]
    async with LoopbackServer([Reply.sse(events, done=False)]) as server:
        with pytest.raises(ServerError) as caught:
            await collect(gemini(server))
    assert caught.value.code == "UNAVAILABLE"
    blocked = {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": 3},
    }
    async with LoopbackServer([Reply.json(blocked)]) as server:
        with pytest.raises(ContentFilterError):
            await gemini(server, stream=False)(HELLO)
