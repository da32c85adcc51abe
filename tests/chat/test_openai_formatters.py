"""OpenAI chat and multi-agent formatters."""

from __future__ import annotations

from specwire.formatter import OpenAIChatFormatter, OpenAIMultiAgentFormatter
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

IMAGE = DataBlock(source=URLSource(url="https://example.com/cat.png", media_type="image/png"))
INLINE = DataBlock(source=Base64Source(data="aGVsbG8=", media_type="image/jpeg"))


async def test_chat_formatter_maps_roles_images_tool_calls_and_results() -> None:
    msgs = [
        SystemMsg(name="system", content="Be brief."),
        UserMsg(name="user", content=[TextBlock(text="What is this?"), IMAGE, INLINE]),
        AssistantMsg(
            name="bot",
            content=[
                ThinkingBlock(thinking="hmm", signature="s"),
                TextBlock(text="Let me look."),
                ToolCallBlock(id="c1", name="lookup", input='{"q": "cat"}'),
            ],
        ),
        UserMsg(
            name="user",
            content=[
                ToolResultBlock(id="c1", name="lookup", output=[TextBlock(text="a cat"), INLINE])
            ],
        ),
    ]
    out = await OpenAIChatFormatter().format(msgs)
    assert out[0] == {"role": "system", "content": "Be brief."}
    assert out[1]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "https://example.com/cat.png"},
    }
    assert out[1]["content"][2]["image_url"]["url"] == "data:image/jpeg;base64,aGVsbG8="
    assert out[2]["tool_calls"] == [
        {
            "id": "c1",
            "type": "function",
            "function": {"name": "lookup", "arguments": '{"q": "cat"}'},
        }
    ]
    assert out[2]["content"] == "Let me look."
    assert (
        out[3]["role"] == "tool"
        and out[3]["tool_call_id"] == "c1"
        and out[3]["content"].startswith("a cat")
    )
    assert (
        out[4]["role"] == "user" and out[4]["content"][1]["type"] == "image_url"
    )  # tool media as a user turn


async def test_multi_agent_groups_consecutive_agents_into_history() -> None:
    msgs = [
        SystemMsg(name="system", content="You moderate a debate."),
        UserMsg(name="alice", content="Cats are best."),
        AssistantMsg(name="bob", content="Dogs are best."),
        AssistantMsg(name="carol", content=[ToolCallBlock(id="t", name="vote", input="{}")]),
        UserMsg(name="tool", content=[ToolResultBlock(id="t", name="vote", output="tie")]),
        UserMsg(name="alice", content="Fine."),
    ]
    out = await OpenAIMultiAgentFormatter().format(msgs)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "tool", "user"]
    assert out[1]["content"] == "<history>\nalice: Cats are best.\nbob: Dogs are best.\n</history>"
    assert out[2]["tool_calls"][0]["function"]["name"] == "vote"
    assert "alice: Fine." in out[4]["content"]
