"""OpenAI-compatible quirks a spec states (``openai_parts``, ``reasoning_request_format``):
thinking goes back in the form each provider reads (Mistral: a thinking content part;
OpenRouter: its own ``reasoning_details`` entries, to OpenRouter only), typed content parts
of any chunking join like plain text, and an in-stream error with its own status is typed
even after deltas were handed out."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specwire._core.accumulator import StreamAccumulator
from specwire._dialects.openai_parts import feed_content
from specwire._testing import LoopbackServer, Reply
from specwire.credential import (
    DeepSeekCredential,
    GroqCredential,
    MistralCredential,
    OpenRouterCredential,
)
from specwire.errors import BadRequestError, RateLimitError, ServerError
from specwire.message import AssistantMsg, TextBlock, ThinkingBlock, ToolCallBlock, UserMsg
from specwire.model import (
    ChatResponse,
    DeepSeekChatModel,
    GroqChatModel,
    MistralChatModel,
    OpenRouterChatModel,
)
from tests.chat.openai_wire import ANSWER_WHOLE, chunk
from tests.stream_contract import joined_deltas

SIGNED = {
    "type": "reasoning.text",
    "text": "I should check the weather.",
    "signature": "sig-123",
    "format": "anthropic-claude-v1",
    "index": 0,
}
ENCRYPTED = {
    "type": "reasoning.encrypted",
    "data": "opaque-blob",
    "format": "anthropic-claude-v1",
    "index": 1,
}
OPENROUTER_WHOLE: dict[str, Any] = {
    "id": "gen-1",
    "object": "chat.completion",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": "Checking.",
                "reasoning": "I should check the weather.",
                "reasoning_details": [SIGNED, ENCRYPTED],
                "tool_calls": [
                    {
                        "id": "toolu_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
        }
    ],
    "usage": {"prompt_tokens": 10, "completion_tokens": 5},
}


def openrouter(server: LoopbackServer) -> OpenRouterChatModel:
    cred = OpenRouterCredential(api_key="k", base_url=server.url + "/api/v1")
    return OpenRouterChatModel(credential=cred, model="anthropic/claude-sonnet-4.6", stream=False)


def assistants(server: LoopbackServer, n: int = -1) -> list[dict[str, Any]]:
    body = server.requests[n].json()
    return [m for m in body["messages"] if m["role"] == "assistant"]


async def answer_then_continue(server: LoopbackServer, model: Any) -> ChatResponse:
    """Ask once, then send the answer back in the history of a second call."""
    first = await model([UserMsg(name="user", content="Weather?")])
    assert isinstance(first, ChatResponse)
    await model(
        [
            UserMsg(name="user", content="Weather?"),
            AssistantMsg(name="ai", content=first.content),
            UserMsg(name="user", content="And tomorrow?"),
        ]
    )
    return first


async def test_openrouter_sends_its_reasoning_details_back_unchanged() -> None:
    async with LoopbackServer([Reply.json(OPENROUTER_WHOLE)]) as server:
        await answer_then_continue(server, openrouter(server))
    (assistant,) = assistants(server)
    assert assistant["reasoning_details"] == [SIGNED, ENCRYPTED]
    assert "reasoning_content" not in assistant and "reasoning" not in assistant
    assert assistant["tool_calls"][0]["id"] == "toolu_1"


async def test_openrouter_reasoning_goes_to_no_other_provider() -> None:
    async with LoopbackServer([Reply.json(OPENROUTER_WHOLE)]) as server:
        first = await openrouter(server)([UserMsg(name="user", content="Weather?")])
    assert isinstance(first, ChatResponse)
    history = [
        UserMsg(name="user", content="Weather?"),
        AssistantMsg(name="ai", content=first.content),
        UserMsg(name="user", content="And tomorrow?"),
    ]
    async with LoopbackServer([Reply.json(ANSWER_WHOLE)]) as server:
        cred = DeepSeekCredential(api_key="k", base_url=server.url)
        await DeepSeekChatModel(credential=cred, model="deepseek-chat", stream=False)(history)
    (assistant,) = assistants(server)
    # DeepSeek takes the reasoning text back on tool turns, never OpenRouter's signatures.
    assert "reasoning_details" not in assistant
    assert assistant["reasoning_content"] == "I should check the weather."


async def test_openrouter_drops_signed_thinking_another_provider_made() -> None:
    foreign = ThinkingBlock(
        thinking="elsewhere", signature="anthropic-sig", origin="anthropic"
    )  # e.g. from AnthropicChatModel: no reasoning_details entry to rebuild
    relabelled = ThinkingBlock(
        thinking="other gateway",
        signature="x",
        origin="groq",
        reasoning_detail={"type": "reasoning.text", "index": 0},
    )
    history = [
        UserMsg(name="user", content="Hi"),
        AssistantMsg(name="ai", content=[foreign, relabelled, TextBlock(text="Hello.")]),
        UserMsg(name="user", content="Again"),
    ]
    async with LoopbackServer([Reply.json(OPENROUTER_WHOLE)]) as server:
        await openrouter(server)(history)
    (assistant,) = assistants(server)
    assert assistant == {"role": "assistant", "content": "Hello."}


async def test_mistral_sends_thinking_back_as_a_content_part() -> None:
    whole = {
        "id": "c1",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": [{"type": "text", "text": "2+2 is 4."}]},
                        {"type": "text", "text": "4."},
                    ],
                },
            }
        ],
    }
    async with LoopbackServer([Reply.json(whole)]) as server:
        cred = MistralCredential(api_key="k", base_url=server.url + "/v1")
        model = MistralChatModel(credential=cred, model="magistral-medium-latest", stream=False)
        await answer_then_continue(server, model)
    (assistant,) = assistants(server)
    assert assistant["content"] == [
        {"type": "thinking", "thinking": [{"type": "text", "text": "2+2 is 4."}], "closed": True},
        {"type": "text", "text": "4."},
    ]
    assert "reasoning_content" not in assistant


async def test_mistral_stream_request_has_no_stream_options() -> None:
    events = [chunk({"content": "ok"}, "stop")]
    async with LoopbackServer([Reply.sse(events)]) as server:
        cred = MistralCredential(api_key="k", base_url=server.url + "/v1")
        model = MistralChatModel(credential=cred, model="mistral-small-latest", stream=True)
        _ = [c async for c in await model([UserMsg(name="user", content="Hi")])]
    body = server.requests[0].json()
    assert body["stream"] is True and "stream_options" not in body


async def test_groq_error_event_after_a_delta_is_typed_by_its_status() -> None:
    error = {
        "error": {
            "message": "Failed to call a function.",
            "type": "invalid_request_error",
            "code": "tool_use_failed",
            "status_code": 400,
        }
    }
    reply = Reply.sse([chunk({"content": "Let me check. "}), error], done=False, delay=0.05)
    async with LoopbackServer([reply]) as server:
        cred = GroqCredential(api_key="k", base_url=server.url + "/openai/v1")
        model = GroqChatModel(credential=cred, model="llama-3.3-70b-versatile", stream=True)
        seen: list[str] = []
        with pytest.raises(BadRequestError) as info:
            async for c in await model([UserMsg(name="user", content="Hi")]):
                seen.extend(b.text for b in c.content if isinstance(b, TextBlock))
    assert seen == ["Let me check. "]
    assert (info.value.status, info.value.code) == (400, "tool_use_failed")


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [(429, "tool_use_failed", RateLimitError), (400, "rate_limit_exceeded", RateLimitError)],
)
async def test_an_event_status_of_429_decides_over_its_code(
    status: int, code: str, expected: type[Exception]
) -> None:
    error = {"error": {"message": "m", "type": "t", "code": code, "status_code": status}}
    async with LoopbackServer([Reply.sse([error], done=False)]) as server:
        cred = GroqCredential(api_key="k", base_url=server.url)
        model = GroqChatModel(credential=cred, model="m", stream=True, max_retries=0)
        with pytest.raises(expected):
            async for _ in await model([UserMsg(name="user", content="Hi")]):
                pass


async def test_tool_call_turn_keeps_reasoning_details_beside_calls() -> None:
    detail = dict(SIGNED)
    history = [
        UserMsg(name="user", content="Weather?"),
        AssistantMsg(
            name="ai",
            content=[
                ThinkingBlock(
                    thinking=detail["text"],
                    signature=detail["signature"],
                    origin="openrouter",
                    reasoning_detail={k: detail[k] for k in ("type", "format", "index")},
                ),
                ToolCallBlock(id="toolu_1", name="get_weather", input='{"city": "Paris"}'),
            ],
        ),
    ]
    async with LoopbackServer([Reply.json(OPENROUTER_WHOLE)]) as server:
        await openrouter(server)(history)
    (assistant,) = assistants(server)
    assert assistant["reasoning_details"] == [SIGNED] and assistant["content"] is None


PARTS = st.lists(
    st.one_of(
        st.builds(lambda t: {"type": "text", "text": t}, st.text(max_size=5)),
        st.builds(
            lambda t: {"type": "thinking", "thinking": [{"type": "text", "text": t}]},
            st.text(max_size=5),
        ),
        st.builds(lambda t: {"type": "thinking", "thinking": t}, st.text(max_size=5)),
        st.just({"type": "reference", "reference_ids": [1]}),
        st.text(max_size=5),
        st.none(),
        st.integers(),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(PARTS, st.integers(min_value=1, max_value=4))
def test_content_parts_in_any_grouping_give_the_same_blocks(parts: list[Any], size: int) -> None:
    """Parts fed one delta at a time, or several per delta, or as one whole message, give the
    same text and thinking; odd parts (ints, None, unknown types) never raise."""
    whole = StreamAccumulator()
    feed_content(parts, whole)
    streamed = StreamAccumulator()
    deltas = []
    for i in range(0, len(parts), size):
        feed_content(parts[i : i + size], streamed)
        deltas.append(ChatResponse(content=streamed.take_delta(), is_last=False))
    final = ChatResponse(content=whole.final_blocks(), is_last=True)
    text, thinking, _ = joined_deltas(deltas)
    assert text == "".join(b.text for b in final.content if isinstance(b, TextBlock))
    assert thinking == "".join(b.thinking for b in final.content if isinstance(b, ThinkingBlock))


async def test_azure_request_goes_to_the_deployment_with_api_version_and_api_key() -> None:
    from specwire.credential import AzureOpenAICredential
    from specwire.embedding import AzureOpenAIEmbeddingModel
    from specwire.model import AzureOpenAIChatModel

    vectors = {"data": [{"index": 0, "embedding": [0.5, 0.25]}], "usage": {"prompt_tokens": 2}}
    async with LoopbackServer(
        lambda r: Reply.json(vectors if r.path.endswith("/embeddings") else ANSWER_WHOLE)
    ) as server:
        cred = AzureOpenAICredential(
            api_key="az-key", base_url=server.url, api_version="2025-01-01"
        )
        chat = AzureOpenAIChatModel(credential=cred, model="my gpt", stream=False)
        await chat([UserMsg(name="user", content="Hi")])
        embed = AzureOpenAIEmbeddingModel(credential=cred, model="emb-deploy")
        assert (await embed(["x"])).embeddings == [[0.5, 0.25]]
    first, second = server.requests
    assert first.path == "/openai/deployments/my%20gpt/chat/completions"
    assert second.path == "/openai/deployments/emb-deploy/embeddings"
    for request in (first, second):
        assert request.query == "api-version=2025-01-01"
        assert request.headers["api-key"] == "az-key" and "authorization" not in request.headers


async def test_openrouter_in_stream_error_code_is_its_status() -> None:
    error = {
        "id": "gen-1",
        "object": "chat.completion.chunk",
        "error": {"code": 502, "message": "Provider returned error"},
        "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
    }
    async with LoopbackServer([Reply.sse([error], done=False)]) as server:
        model = openrouter(server)
        with pytest.raises(ServerError) as info:
            async for _ in await model([UserMsg(name="user", content="Hi")], stream=True):
                pass
    assert info.value.status == 502 and info.value.message == "Provider returned error"


async def test_mistral_validation_error_reads_its_top_level_type() -> None:
    body = {
        "object": "error",
        "message": {"detail": [{"type": "extra_forbidden", "loc": ["body", "x"]}]},
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    async with LoopbackServer([Reply.json(body, status=422)]) as server:
        cred = MistralCredential(api_key="k", base_url=server.url + "/v1")
        model = MistralChatModel(credential=cred, model="mistral-small-latest", stream=False)
        with pytest.raises(BadRequestError) as info:
            await model([UserMsg(name="user", content="Hi")], x=1)
    assert (info.value.status, info.value.code) == (422, "invalid_request_error")


async def test_reasoning_text_beside_an_encrypted_only_entry_is_kept() -> None:
    events = [
        chunk({"reasoning": "Summing. ", "reasoning_details": [dict(ENCRYPTED, index=0)]}),
        chunk({"reasoning": "4.", "reasoning_details": []}),
        chunk({"content": "4"}, "stop"),
    ]
    async with LoopbackServer([Reply.sse(events)]) as server:
        model = openrouter(server)
        chunks = [c async for c in await model([UserMsg(name="user", content="2+2?")], stream=True)]
    text, thinking, _ = joined_deltas(chunks[:-1])
    blocks = [b for b in chunks[-1].content if isinstance(b, ThinkingBlock)]
    assert (text, thinking) == ("4", "Summing. 4.")
    assert "".join(b.thinking for b in blocks) == thinking
    assert [b.signature for b in blocks if b.signature] == ["opaque-blob"]


async def test_mistral_gets_nine_character_tool_call_ids_that_still_match() -> None:
    from specwire.message import ToolResultBlock

    history = [
        UserMsg(name="user", content="Weather?"),
        AssistantMsg(
            name="ai",
            content=[
                ToolCallBlock(id="call_abc-123", name="get_weather", input='{"city": "Paris"}'),
                ToolCallBlock(id="D681PevKs", name="get_weather", input='{"city": "Rome"}'),
            ],
        ),
        UserMsg(
            name="user",
            content=[
                ToolResultBlock(id="call_abc-123", name="get_weather", output="sunny"),
                ToolResultBlock(id="D681PevKs", name="get_weather", output="rain"),
            ],
        ),
    ]
    async with LoopbackServer([Reply.json(ANSWER_WHOLE)]) as server:
        cred = MistralCredential(api_key="k", base_url=server.url + "/v1")
        model = MistralChatModel(credential=cred, model="mistral-small-latest", stream=False)
        await model(history)
    messages = server.requests[0].json()["messages"]
    call_ids = [c["id"] for c in messages[1]["tool_calls"]]
    result_ids = [m["tool_call_id"] for m in messages if m["role"] == "tool"]
    assert call_ids == result_ids and call_ids[1] == "D681PevKs"
    assert len(call_ids[0]) == 9 and call_ids[0].isalnum() and call_ids[0] != "call_abc-123"
