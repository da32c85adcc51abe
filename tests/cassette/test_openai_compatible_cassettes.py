"""The OpenAI-compatible providers replayed from cassettes: text with reasoning, streamed
reasoning, parallel tool calls, an authentication error."""

from __future__ import annotations

import json
from typing import Any

import pytest
import vcr

from specwire import credential as creds
from specwire import model as models
from specwire.errors import AuthenticationError
from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock, UserMsg
from specwire.model import ChatResponse
from tests.conftest import vcr_config

# provider -> (credential, model class, model, reasoning expected, cassette folder/prefix)
CASES = {
    "openai": ("OpenAICredential", "OpenAIChatModel", "gpt-4.1-mini", False, "openai/"),
    "deepseek": ("DeepSeekCredential", "DeepSeekChatModel", "deepseek-reasoner", True, "deepseek/"),
    "moonshot": ("MoonshotCredential", "MoonshotChatModel", "kimi-k2-thinking", True, "moonshot/"),
    "xai": ("XAICredential", "XAIChatModel", "grok-3-mini", True, "xai/"),
    "dashscope": (
        "DashScopeCredential",
        "DashScopeChatModel",
        "qwen-plus",
        True,
        "dashscope/compat_",
    ),
}
ASK = [UserMsg(name="user", content="Capital of France?")]


def build(provider: str, stream: bool) -> Any:
    cred_name, model_name, model_id, _, _ = CASES[provider]
    kwargs: dict[str, Any] = {"api_key": "test-key"}
    if provider == "dashscope":
        kwargs["base_url"] = "https://dashscope.aliyuncs.com/compatible-mode/v1"
    credential = getattr(creds, cred_name)(**kwargs)
    return getattr(models, model_name)(
        credential=credential, model=model_id, stream=stream, max_retries=0
    )


def cassette(provider: str, name: str) -> Any:
    return vcr.use_cassette(CASES[provider][4] + name + ".yaml", **vcr_config())


@pytest.mark.parametrize("provider", sorted(CASES))
async def test_text_answer_with_reasoning_and_usage(provider: str) -> None:
    with cassette(provider, "chat_text"):
        response = await build(provider, stream=False)(ASK)
    assert isinstance(response, ChatResponse)
    kinds = [b.type for b in response.content]
    assert kinds == (["thinking", "text"] if CASES[provider][3] else ["text"])
    assert isinstance(response.content[-1], TextBlock) and response.content[-1].text == "Paris."
    assert response.usage is not None and (
        response.usage.input_tokens,
        response.usage.output_tokens,
    ) == (14, 9)


@pytest.mark.parametrize("provider", sorted(CASES))
async def test_stream_deltas_then_one_final(provider: str) -> None:
    with cassette(provider, "chat_stream_reasoning"):
        chunks = [c async for c in await build(provider, stream=True)(ASK)]
    final = chunks[-1]
    assert final.is_last and not any(c.is_last for c in chunks[:-1])
    text = "".join(b.text for c in chunks[:-1] for b in c.content if isinstance(b, TextBlock))
    thinking = "".join(
        b.thinking for c in chunks[:-1] for b in c.content if isinstance(b, ThinkingBlock)
    )
    assert text == "Paris." == "".join(b.text for b in final.content if isinstance(b, TextBlock))
    final_thinking = "".join(b.thinking for b in final.content if isinstance(b, ThinkingBlock))
    assert thinking == final_thinking == ("The capital is Paris." if CASES[provider][3] else "")
    assert final.usage is not None and final.usage.output_tokens == 9


@pytest.mark.parametrize("provider", sorted(CASES))
async def test_parallel_tool_calls(provider: str) -> None:
    tools = [
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    ]
    with cassette(provider, "chat_tools"):
        response = await build(provider, stream=False)(ASK, tools=tools)
    calls = [(b.id, json.loads(b.input)) for b in response.content if isinstance(b, ToolCallBlock)]
    assert calls == [("call_1", {"city": "Paris"}), ("call_2", {"city": "Rome"})]


@pytest.mark.parametrize("provider", sorted(CASES))
async def test_authentication_error_is_typed(provider: str) -> None:
    with cassette(provider, "chat_error"), pytest.raises(AuthenticationError) as info:
        await build(provider, stream=False)(ASK)
    assert info.value.status == 401 and info.value.code == "invalid_api_key"
    assert "test-key" not in str(info.value)
