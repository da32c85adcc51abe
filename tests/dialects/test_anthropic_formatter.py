"""Anthropic chat and multi-agent formatters."""

from __future__ import annotations

from specwire.formatter import AnthropicChatFormatter, AnthropicMultiAgentFormatter
from specwire.message import (
    AssistantMsg,
    Base64Source,
    DataBlock,
    SystemMsg,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResultBlock,
    URLSource,
    UserMsg,
)

URL_IMAGE = DataBlock(source=URLSource(url="https://example.com/cat.png", media_type="image/png"))
INLINE = DataBlock(source=Base64Source(data="aGVsbG8=", media_type="image/jpeg"))
DATA_URL = DataBlock(source=Base64Source(data="data:image/gif;base64,R0lG", media_type="image/gif"))
PDF = DataBlock(source=Base64Source(data="JVBERi0=", media_type="application/pdf"))
AUDIO = DataBlock(source=Base64Source(data="UklGRg==", media_type="audio/wav"))


async def test_roles_media_thinking_tool_calls_and_results() -> None:
    msgs = [
        SystemMsg(name="system", content="Be brief."),
        UserMsg(
            name="user", content=[TextBlock(text="What is this?"), URL_IMAGE, INLINE, DATA_URL, PDF]
        ),
        AssistantMsg(
            name="bot",
            content=[
                ThinkingBlock(thinking="A cat?", signature="sig==", origin="anthropic"),
                ThinkingBlock(thinking="", redacted="opaque==", origin="anthropic"),
                TextBlock(text="Let me look."),
                ToolCallBlock(id="toolu_1", name="lookup", input='{"q": "cat"}'),
            ],
        ),
        UserMsg(
            name="user",
            content=[
                ToolResultBlock(
                    id="toolu_1", name="lookup", output=[TextBlock(text="a cat"), INLINE]
                ),
            ],
        ),
    ]
    out = await AnthropicChatFormatter().format(msgs)
    assert out[0] == {"role": "system", "content": "Be brief."}
    user = out[1]["content"]
    assert user[0] == {"type": "text", "text": "What is this?"}
    assert user[1] == {
        "type": "image",
        "source": {"type": "url", "url": "https://example.com/cat.png"},
    }
    assert user[2]["source"] == {"type": "base64", "media_type": "image/jpeg", "data": "aGVsbG8="}
    assert user[3]["source"] == {"type": "base64", "media_type": "image/gif", "data": "R0lG"}
    assert user[4] == {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="},
    }
    assert out[2] == {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "A cat?", "signature": "sig=="},
            {"type": "redacted_thinking", "data": "opaque=="},
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"q": "cat"}},
        ],
    }
    result = out[3]["content"][0]
    assert out[3]["role"] == "user" and result["tool_use_id"] == "toolu_1"
    assert result["content"][0] == {"type": "text", "text": "a cat"}
    assert result["content"][1]["type"] == "image" and "is_error" not in result


async def test_foreign_reasoning_is_dropped_and_odd_ids_are_made_valid() -> None:
    msgs = [
        UserMsg(name="user", content="Weather?"),
        AssistantMsg(
            name="bot",
            content=[
                ThinkingBlock(thinking="from deepseek"),
                ThinkingBlock(thinking="from gemini", signature="g==", origin="gemini"),
                ToolCallBlock(id="functions.weather:0", name="weather", input="{}"),
            ],
        ),
        UserMsg(
            name="user",
            content=[
                ToolResultBlock(
                    id="functions.weather:0", name="weather", output="rain", state="error"
                )
            ],
        ),
    ]
    out = await AnthropicChatFormatter().format(msgs)
    call = out[1]["content"]
    assert [b["type"] for b in call] == ["tool_use"]
    result = out[2]["content"][0]
    assert result["tool_use_id"] == call[0]["id"]
    assert set(call[0]["id"]) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
    )
    assert result["is_error"] is True and result["content"] == "rain"


async def test_tool_results_lead_a_merged_user_turn_and_unreadable_media_become_notes() -> None:
    msgs = [
        UserMsg(name="user", content=[TextBlock(text="Listen"), AUDIO]),
        AssistantMsg(
            name="bot",
            content=[
                ToolCallBlock(id="a", name="f", input="{}"),
                ToolResultBlock(id="a", name="f", output="done"),
                TextBlock(text="Done."),
            ],
        ),
        UserMsg(name="user", content="Thanks"),
    ]
    out = await AnthropicChatFormatter().format(msgs)
    assert out[0]["content"][1] == {
        "type": "text",
        "text": "[audio/wav omitted: not readable here]",
    }
    assert [m["role"] for m in out] == ["user", "assistant", "user", "assistant", "user"]
    assert out[2]["content"] == [{"type": "tool_result", "tool_use_id": "a", "content": "done"}]
    merged = await AnthropicChatFormatter().format(
        [
            AssistantMsg(name="bot", content=[ToolCallBlock(id="a", name="f", input="{}")]),
            UserMsg(name="user", content="Also this."),
            UserMsg(name="tool", content=[ToolResultBlock(id="a", name="f", output="ok")]),
        ]
    )
    assert [b["type"] for b in merged[1]["content"]] == ["tool_result", "text"]


async def test_multi_agent_groups_agents_and_keeps_tool_sequences() -> None:
    msgs = [
        SystemMsg(name="system", content="Moderate."),
        UserMsg(name="alice", content="Cats."),
        AssistantMsg(name="bob", content="Dogs."),
        AssistantMsg(name="carol", content=[ToolCallBlock(id="t", name="vote", input="{}")]),
        UserMsg(name="tool", content=[ToolResultBlock(id="t", name="vote", output="tie")]),
        UserMsg(name="alice", content="Fine."),
    ]
    out = await AnthropicMultiAgentFormatter().format(msgs)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "user"]
    assert out[1]["content"][0]["text"] == "<history>\nalice: Cats.\nbob: Dogs.\n</history>"
    assert out[2]["content"][0]["type"] == "tool_use"
    last = out[3]["content"]
    assert last[0]["type"] == "tool_result" and "alice: Fine." in last[1]["text"]
