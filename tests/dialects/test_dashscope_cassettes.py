"""DashScope native chat replayed from cassettes written from the documented protocol:
stream, non-stream, tools, thinking, vision and an in-stream error."""

from __future__ import annotations

import json
from typing import Any

import pytest
import vcr

from specwire.credential import DashScopeCredential
from specwire.errors import ContentFilterError
from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock, UserMsg
from specwire.model import ChatResponse, DashScopeChatModel
from tests.conftest import vcr_config

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def model(name: str = "qwen-plus", **kwargs: Any) -> DashScopeChatModel:
    cred = DashScopeCredential(api_key="sk-test", base_url="https://dashscope.aliyuncs.com/api/v1")
    return DashScopeChatModel(credential=cred, model=name, **kwargs)


async def run(cassette: str, m: DashScopeChatModel, **kwargs: Any) -> list[ChatResponse]:
    with vcr.use_cassette(f"dashscope/{cassette}.yaml", **vcr_config()):
        result = await m([UserMsg(name="user", content="hi")], **kwargs)
        if isinstance(result, ChatResponse):
            return [result]
        return [c async for c in result]


def texts(response: ChatResponse) -> tuple[str, str]:
    return (
        "".join(b.text for b in response.content if isinstance(b, TextBlock)),
        "".join(b.thinking for b in response.content if isinstance(b, ThinkingBlock)),
    )


async def test_stream() -> None:
    chunks = await run("native_chat_stream", model(stream=True))
    assert "".join(texts(c)[0] for c in chunks[:-1]) == texts(chunks[-1])[0] == "1, 2, 3"
    usage = chunks[-1].usage
    assert usage is not None and (usage.input_tokens, usage.output_tokens) == (16, 5)


async def test_non_stream() -> None:
    (response,) = await run("native_chat_text", model(stream=False))
    assert texts(response) == ("Paris.", "")


async def test_tools() -> None:
    chunks = await run(
        "native_chat_tools",
        model(
            "qwen-max",
            stream=True,
            parameters=DashScopeChatModel.Parameters(parallel_tool_calls=True),
        ),
        tools=TOOLS,
    )
    calls = [b for b in chunks[-1].content if isinstance(b, ToolCallBlock)]
    assert [(c.id, json.loads(c.input)) for c in calls] == [
        ("call_29a870e7", {"city": "Hangzhou"}),
        ("call_026e44bb", {"city": "Shanghai"}),
    ]


async def test_thinking() -> None:
    params = DashScopeChatModel.Parameters(thinking_enable=True, thinking_budget=2048)
    chunks = await run(
        "native_chat_stream_reasoning",
        model("qwen3-235b-a22b-thinking-2507", stream=True, parameters=params),
    )
    assert texts(chunks[-1]) == ("2", "1+1 is basic arithmetic.")
    usage = chunks[-1].usage
    assert usage is not None and usage.reasoning_tokens == 7


async def test_vision_model_goes_to_the_multimodal_endpoint() -> None:
    chunks = await run("native_chat_vision", model("qwen-vl-plus", stream=True))
    assert texts(chunks[-1])[0] == "A beach at sunset."


async def test_error() -> None:
    with pytest.raises(ContentFilterError) as info:
        await run("native_chat_error", model(stream=True, max_retries=0))
    assert info.value.code == "DataInspectionFailed"
