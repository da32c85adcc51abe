"""Quirks of OpenAI-compatible providers, replayed from cassettes written from their
documented wire formats: Mistral's thinking content parts (streamed and whole), OpenRouter's
``reasoning_details`` (signatures and encrypted reasoning kept), Groq's in-stream error
with its own ``status_code``, and each spec's plain paths (tools, auth errors, embeddings)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import vcr

from specwire.credential import (
    AzureOpenAICredential,
    GroqCredential,
    MistralCredential,
    OpenRouterCredential,
)
from specwire.embedding import MistralEmbeddingModel
from specwire.errors import AuthenticationError, BadRequestError
from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock, UserMsg
from specwire.model import (
    AzureOpenAIChatModel,
    ChatResponse,
    GroqChatModel,
    MistralChatModel,
    OpenRouterChatModel,
)
from tests.conftest import vcr_config
from tests.stream_contract import joined_deltas

ASK = [UserMsg(name="user", content="What is 2+2?")]
WEATHER = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather in a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]
SIGNATURE = "EqQBCkYIBRgCKkD3Z0NmU2lnbmF0dXJlLW5vdC1hLXNlY3JldA=="


def cassette(name: str) -> Any:
    return vcr.use_cassette(name + ".yaml", **vcr_config())


def mistral(model: str, stream: bool) -> MistralChatModel:
    cred = MistralCredential(api_key="test-key")
    return MistralChatModel(credential=cred, model=model, stream=stream, max_retries=0)


def openrouter(model: str, stream: bool) -> OpenRouterChatModel:
    cred = OpenRouterCredential(api_key="test-key")
    return OpenRouterChatModel(credential=cred, model=model, stream=stream, max_retries=0)


def groq(model: str, stream: bool) -> GroqChatModel:
    cred = GroqCredential(api_key="test-key")
    return GroqChatModel(credential=cred, model=model, stream=stream, max_retries=0)


def thinking_blocks(response: ChatResponse) -> list[ThinkingBlock]:
    return [b for b in response.content if isinstance(b, ThinkingBlock)]


def text_of(response: ChatResponse) -> str:
    return "".join(b.text for b in response.content if isinstance(b, TextBlock))


# ---------------------------------------------------------------------------- Mistral
async def test_mistral_streamed_thinking_parts_become_a_thinking_block() -> None:
    with cassette("mistral/chat_stream_thinking"):
        chunks = [c async for c in await mistral("magistral-medium-latest", stream=True)(ASK)]
    final = chunks[-1]
    assert final.is_last and not any(c.is_last for c in chunks[:-1])
    text, thinking, _ = joined_deltas(chunks[:-1])
    assert thinking == "The user asks 2+2. That is 4." == thinking_blocks(final)[0].thinking
    assert text == "2 + 2 = **4**." == text_of(final)
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert final.usage is not None and (final.usage.input_tokens, final.usage.output_tokens) == (
        12,
        28,
    )


async def test_mistral_whole_response_keeps_thinking_parts() -> None:
    with cassette("mistral/chat_thinking"):
        response = await mistral("magistral-medium-latest", stream=False)(ASK)
    assert isinstance(response, ChatResponse)
    assert [b.type for b in response.content] == ["thinking", "text"]
    assert thinking_blocks(response)[0].thinking == "The user asks 2+2. That is 4."
    assert text_of(response) == "2 + 2 = **4**."


async def test_mistral_parallel_tool_calls_keep_their_ids() -> None:
    with cassette("mistral/chat_tools"):
        response = await mistral("mistral-large-latest", stream=False)(ASK, tools=WEATHER)
    assert isinstance(response, ChatResponse)
    calls = [(b.id, json.loads(b.input)) for b in response.content if isinstance(b, ToolCallBlock)]
    assert calls == [("D681PevKs", {"city": "Paris"}), ("t8Kq2LmZx", {"city": "Rome"})]


async def test_mistral_bad_key_is_an_authentication_error() -> None:
    with cassette("mistral/chat_error"), pytest.raises(AuthenticationError) as info:
        await mistral("mistral-large-latest", stream=False)(ASK)
    assert info.value.status == 401 and "test-key" not in str(info.value)


async def test_mistral_embed_vectors_in_input_order() -> None:
    model = MistralEmbeddingModel(
        credential=MistralCredential(api_key="test-key"), model="mistral-embed"
    )
    with cassette("embedding/mistral"):
        response = await model(["What is specwire?", "A spec-first library."])
    assert [len(v) for v in response.embeddings] == [1024, 1024]
    assert list(response.embeddings[0][:4]) == [0.125, -0.25, 0.5, 0.75]
    assert list(response.embeddings[1][:4]) == [1.0, -0.5, 0.0625, -1.5]


# ------------------------------------------------------------------------- OpenRouter
async def test_openrouter_stream_keeps_the_reasoning_signature() -> None:
    with cassette("openrouter/chat_stream_reasoning_details"):
        stream = await openrouter("anthropic/claude-sonnet-4.6", stream=True)(ASK, tools=WEATHER)
        chunks = [c async for c in stream]
    final = chunks[-1]
    text, thinking, args = joined_deltas(chunks[:-1])
    (block,) = thinking_blocks(final)
    assert thinking == block.thinking == "I should check the weather."
    assert block.signature == SIGNATURE
    assert getattr(block, "origin", None) == "openrouter"
    assert getattr(block, "reasoning_detail", None) == {
        "type": "reasoning.text",
        "format": "anthropic-claude-v1",
        "index": 0,
    }
    assert text == text_of(final) == "Checking."
    assert args == {"toolu_01A": {"city": "Paris"}}
    assert final.usage is not None and final.usage.output_tokens == 45


async def test_openrouter_whole_response_keeps_signed_and_encrypted_entries() -> None:
    with cassette("openrouter/chat_reasoning_details"):
        response = await openrouter("anthropic/claude-sonnet-4.6", stream=False)(ASK, tools=WEATHER)
    assert isinstance(response, ChatResponse)
    signed, encrypted = thinking_blocks(response)
    assert (signed.thinking, signed.signature) == ("I should check the weather.", SIGNATURE)
    assert (encrypted.thinking, encrypted.signature) == ("", "RW5jcnlwdGVkLXJlZGFjdGVkLXRoaW5raW5n")
    assert getattr(encrypted, "reasoning_detail", None) == {
        "type": "reasoning.encrypted",
        "format": "anthropic-claude-v1",
        "index": 1,
    }


async def test_openrouter_summary_and_encrypted_reasoning_stream() -> None:
    with cassette("openrouter/chat_stream_encrypted"):
        chunks = [c async for c in await openrouter("openai/gpt-5.4-mini", stream=True)(ASK)]
    final = chunks[-1]
    summary, encrypted = thinking_blocks(final)
    assert summary.thinking == "**Adding numbers** 2+2 is 4." and summary.signature is None
    assert encrypted.signature == "gAAAAABpZW5jcnlwdGVkLXJlYXNvbmluZw=="
    assert getattr(encrypted, "reasoning_detail", {}).get("id") == "rs_0a1b2c"
    assert text_of(final) == "4"


# ------------------------------------------------------------------------------- Groq
async def test_groq_in_stream_error_is_a_bad_request_with_its_status() -> None:
    with cassette("groq/chat_stream_error"):
        stream = await groq("llama-3.3-70b-versatile", stream=True)(ASK, tools=WEATHER)
        with pytest.raises(BadRequestError) as info:
            async for _ in stream:
                pass
    assert info.value.status == 400 and info.value.code == "tool_use_failed"
    assert "Failed to call a function" in info.value.message


async def test_groq_streamed_reasoning_and_usage() -> None:
    with cassette("groq/chat_stream_reasoning"):
        chunks = [c async for c in await groq("openai/gpt-oss-120b", stream=True)(ASK)]
    final = chunks[-1]
    assert thinking_blocks(final)[0].thinking == "Simple arithmetic: 2+2=4."
    assert text_of(final) == "2 + 2 = 4."
    assert final.usage is not None and (final.usage.input_tokens, final.usage.output_tokens) == (
        75,
        21,
    )


async def test_groq_text_and_auth_error() -> None:
    with cassette("groq/chat_text"):
        response = await groq("llama-3.3-70b-versatile", stream=False)(ASK)
    assert isinstance(response, ChatResponse) and text_of(response) == "2 + 2 = 4."
    with cassette("groq/chat_error"), pytest.raises(AuthenticationError) as info:
        await groq("llama-3.3-70b-versatile", stream=False)(ASK)
    assert info.value.status == 401 and info.value.code == "invalid_api_key"


# ---------------------------------------------------------------------- Azure OpenAI
async def test_azure_deployment_answer() -> None:
    cred = AzureOpenAICredential(api_key="test-key", base_url="https://contoso.openai.azure.com")
    model = AzureOpenAIChatModel(credential=cred, model="my-gpt-4o", stream=False, max_retries=0)
    with cassette("azure_openai/chat_text"):  # matched on the deployment path
        response = await model(ASK)
    assert isinstance(response, ChatResponse) and text_of(response) == "2 + 2 = 4."
    assert response.usage is not None and response.usage.output_tokens == 8
