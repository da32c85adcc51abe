"""Unknown call keywords and ``extra_body`` land where each dialect keeps its parameters
and deep-merge into the body specwire built, never overwriting it."""

from __future__ import annotations

from typing import Any

import pytest

from specwire._core.extra import merge_extra
from specwire._testing import LoopbackServer, Reply
from specwire._testing.tts_server import HTTPTTSLoopback
from specwire.credential import (
    DashScopeCredential,
    GeminiCredential,
    OllamaCredential,
    OpenAICredential,
)
from specwire.embedding import GeminiEmbeddingModel
from specwire.message import UserMsg
from specwire.model import DashScopeChatModel, GeminiChatModel, OllamaChatModel, OpenAIChatModel
from specwire.tts import DashScopeTTSModel
from tests.dialects.test_dashscope_dialect import TOOLS
from tests.dialects.test_dashscope_dialect import WHOLE as DASHSCOPE_WHOLE
from tests.dialects.test_ollama_dialect import WHOLE as OLLAMA_WHOLE
from tests.embedding.helpers import gemini_reply

HELLO = [UserMsg(name="user", content="hi")]
OPENAI_WHOLE = {
    "choices": [{"index": 0, "message": {"content": "ok"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1},
}
GEMINI_WHOLE = {"candidates": [{"content": {"parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}


async def sent(model_factory: Any, reply: Any, **call: Any) -> dict[str, Any]:
    """The body the model sent for one non-streamed call."""
    async with LoopbackServer([Reply.json(reply)]) as server:
        model = model_factory(server)
        await model(HELLO, **call)
        body: dict[str, Any] = server.requests[0].json()
    return body


def qwen(server: LoopbackServer) -> DashScopeChatModel:
    return DashScopeChatModel(
        credential=DashScopeCredential(api_key="k", base_url=server.url + "/api/v1"),
        model="qwen-plus",
        stream=False,
        max_retries=0,
        parameters=DashScopeChatModel.Parameters(temperature=0.3),
    )


def ollama(server: LoopbackServer) -> OllamaChatModel:
    return OllamaChatModel(
        credential=OllamaCredential(host=server.url),
        model="qwen3",
        stream=False,
        max_retries=0,
        parameters=OllamaChatModel.Parameters(num_ctx=8192, temperature=0.2),
    )


async def test_dashscope_extra_body_parameters_keep_tools_and_temperature() -> None:
    body = await sent(
        qwen, DASHSCOPE_WHOLE, tools=TOOLS, extra_body={"parameters": {"enable_search": True}}
    )
    parameters = body["parameters"]
    assert parameters["enable_search"] is True and parameters["temperature"] == 0.3
    assert [t["function"]["name"] for t in parameters["tools"]] == ["weather"]
    assert parameters["result_format"] == "message"


async def test_dashscope_unknown_keywords_go_into_parameters() -> None:
    body = await sent(qwen, DASHSCOPE_WHOLE, enable_search=True, search_options={"forced": True})
    assert body["parameters"]["enable_search"] is True
    assert body["parameters"]["search_options"] == {"forced": True}
    assert "enable_search" not in body and body["parameters"]["temperature"] == 0.3


async def test_ollama_extra_options_keep_num_ctx() -> None:
    body = await sent(
        ollama, OLLAMA_WHOLE, extra_body={"options": {"mirostat": 1}}, mirostat_eta=0.2
    )
    assert body["options"] == {
        "num_ctx": 8192,
        "temperature": 0.2,
        "mirostat": 1,
        "mirostat_eta": 0.2,
    }
    assert body["stream"] is False


async def test_gemini_keywords_go_into_generation_config() -> None:
    def gemini(server: LoopbackServer) -> GeminiChatModel:
        return GeminiChatModel(
            credential=GeminiCredential(api_key="g", base_url=server.url),
            model="gemini-test",
            stream=False,
            max_retries=0,
            parameters=GeminiChatModel.Parameters(temperature=0.5),
        )

    body = await sent(
        gemini,
        GEMINI_WHOLE,
        responseMimeType="application/json",
        extra_body={"tools": [{"googleSearch": {}}]},
    )
    assert body["generationConfig"] == {"temperature": 0.5, "responseMimeType": "application/json"}
    assert body["tools"] == [{"googleSearch": {}}]


async def test_openai_keywords_go_to_the_top_and_lists_are_extended() -> None:
    def gpt(server: LoopbackServer) -> OpenAIChatModel:
        return OpenAIChatModel(
            credential=OpenAICredential(api_key="k", base_url=server.url),
            model="gpt-test",
            stream=False,
            max_retries=0,
        )

    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    body = await sent(
        gpt, OPENAI_WHOLE, tools=tools, user="u-1", extra_body={"tools": [{"type": "web_search"}]}
    )
    assert body["user"] == "u-1"
    assert [t["type"] for t in body["tools"]] == ["function", "web_search"]


async def test_an_extra_field_that_would_overwrite_the_built_body_is_refused() -> None:
    async with LoopbackServer([Reply.json(DASHSCOPE_WHOLE)]) as server:
        model = qwen(server)
        with pytest.raises(ValueError, match=r"parameters\.result_format='text' would overwrite"):
            await model(HELLO, result_format="text")
        with pytest.raises(ValueError, match=r"extra field model="):
            await model(HELLO, extra_body={"model": "qwen-max"})
        assert server.requests == []  # nothing was sent


async def test_embedding_keywords_go_into_each_gemini_request() -> None:
    async with LoopbackServer(gemini_reply) as server:
        model = GeminiEmbeddingModel(
            credential=GeminiCredential(api_key="g", base_url=server.url),
            model="gemini-embedding-001",
            parameters=GeminiEmbeddingModel.Parameters(dimensions=768),
        )
        await model(["a", "b"], title="Doc")
    requests = server.requests[0].json()["requests"]
    assert [(r["title"], r["outputDimensionality"]) for r in requests] == [("Doc", 768)] * 2


async def test_tts_keywords_go_into_input() -> None:
    async with HTTPTTSLoopback() as server:
        tts = DashScopeTTSModel(
            credential=DashScopeCredential(api_key="sk-test", base_url=server.base_url),
            model="qwen3-tts-flash",
            stream=False,
        )
        await tts.synthesize("Hi.", speed_hint="slow", extra_body={"parameters": {"seed": 7}})
        await tts.aclose()
        body = server.requests[0].json()
    assert body["input"]["speed_hint"] == "slow" and body["input"]["text"] == "Hi."
    assert body["parameters"] == {"seed": 7}


def test_merging_never_writes_into_shared_spec_mappings() -> None:
    fixed = {"payload": {"parameters": {"text_type": "PlainText"}}, "tags": ["a"]}
    body = dict(fixed)  # a shallow copy, as a dialect's body.update(fixed_body) makes
    merge_extra(
        body,
        keywords={"rate": 2},
        extra_body={"payload": {"parameters": {"volume": 9}}, "tags": ["b"]},
        location=("payload", "parameters"),
    )
    assert body["payload"]["parameters"] == {"text_type": "PlainText", "rate": 2, "volume": 9}
    assert body["tags"] == ["a", "b"]
    assert fixed == {"payload": {"parameters": {"text_type": "PlainText"}}, "tags": ["a"]}
    with pytest.raises(ValueError, match=r"go into payload\.parameters, which is not an object"):
        merge_extra(
            {"payload": {"parameters": 3}},
            keywords={"x": 1},
            extra_body={},
            location=("payload", "parameters"),
        )
