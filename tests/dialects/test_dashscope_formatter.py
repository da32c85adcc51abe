"""DashScope formatters on conversations mixing text, media, thinking, tool calls and results."""

from __future__ import annotations

from specwire.formatter import DashScopeChatFormatter, DashScopeMultiAgentFormatter
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


async def test_text_stays_a_string_and_media_become_multimodal_items() -> None:
    msgs = [
        SystemMsg(name="system", content="Be brief."),
        UserMsg(name="user", content="Hello"),
        UserMsg(
            name="user",
            content=[
                TextBlock(text="Compare"),
                DataBlock(source=URLSource(url="https://x.test/a.jpg", media_type="image/jpeg")),
                DataBlock(source=Base64Source(data="AAAA", media_type="video/mp4")),
                DataBlock(
                    source=Base64Source(data="BBBB", media_type="application/pdf"), name="r.pdf"
                ),
            ],
        ),
    ]
    out = await DashScopeChatFormatter().format(msgs)
    assert out[0] == {"role": "system", "content": "Be brief."}
    assert out[1] == {"role": "user", "content": "Hello"}
    assert out[2]["content"] == [
        {"text": "Compare"},
        {"image": "https://x.test/a.jpg"},
        {"video": "data:video/mp4;base64,AAAA"},
        {"text": "[application/pdf attached]"},
    ]


async def test_tool_round_trip_drops_reasoning_and_keeps_ids() -> None:
    msgs = [
        AssistantMsg(
            name="qwen",
            content=[
                ThinkingBlock(thinking="Need the weather."),
                ToolCallBlock(id="call_1", name="weather", input='{"city": "Hangzhou"}'),
            ],
        ),
        UserMsg(
            name="user",
            content=[
                ToolResultBlock(
                    id="call_1",
                    name="weather",
                    output=[
                        TextBlock(text="Sunny"),
                        DataBlock(source=Base64Source(data="QQ==", media_type="image/png")),
                    ],
                )
            ],
        ),
    ]
    out = await DashScopeChatFormatter().format(msgs)
    assert out[0] == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "weather", "arguments": '{"city": "Hangzhou"}'},
            }
        ],
    }
    assert "Need the weather" not in str(out)
    assert out[1]["role"] == "tool" and out[1]["tool_call_id"] == "call_1"
    assert out[1]["content"].startswith("Sunny")
    assert out[2]["role"] == "user" and {"image": "data:image/png;base64,QQ=="} in out[2]["content"]


async def test_multi_agent_formatter_wraps_history() -> None:
    msgs = [
        UserMsg(name="alice", content="Tea?"),
        AssistantMsg(name="bob", content="Coffee."),
    ]
    (out,) = await DashScopeMultiAgentFormatter().format(msgs)
    assert out["role"] == "user"
    assert out["content"] == "<history>\nalice: Tea?\nbob: Coffee.\n</history>"
