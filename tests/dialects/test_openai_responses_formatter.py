"""Responses formatters: input items for text, images, files, reasoning, tool calls and
results, and reasoning from elsewhere dropped on purpose."""

from __future__ import annotations

from specwire.formatter import OpenAIResponseFormatter, OpenAIResponseMultiAgentFormatter
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


def ours(thinking: str, signature: str) -> ThinkingBlock:
    return ThinkingBlock(thinking=thinking, signature=signature, origin="openai_responses")


async def test_user_media_become_input_parts() -> None:
    msg = UserMsg(
        name="user",
        content=[
            TextBlock(text="Read these"),
            DataBlock(source=URLSource(url="https://x.test/cat.png", media_type="image/png")),
            DataBlock(source=Base64Source(data="iVBO", media_type="image/png")),
            DataBlock(source=Base64Source(data="JVBE", media_type="application/pdf"), name="r.pdf"),
        ],
    )
    (item,) = await OpenAIResponseFormatter().format([msg])
    assert item == {
        "role": "user",
        "content": [
            {"type": "input_text", "text": "Read these"},
            {"type": "input_image", "image_url": "https://x.test/cat.png"},
            {"type": "input_image", "image_url": "data:image/png;base64,iVBO"},
            {
                "type": "input_file",
                "filename": "r.pdf",
                "file_data": "data:application/pdf;base64,JVBE",
            },
        ],
    }


async def test_assistant_turn_keeps_block_order_and_only_its_own_reasoning() -> None:
    msgs = [
        SystemMsg(name="system", content="Be brief."),
        AssistantMsg(
            name="gpt",
            content=[
                ThinkingBlock(
                    thinking="from Claude", signature="anthropic-signature", origin="anthropic"
                ),
                ThinkingBlock(thinking="unsigned"),
                ours("plan", "gAAAA-1"),
                TextBlock(text="Calling."),
                ours("", "gAAAA-2"),
                ToolCallBlock(id="call_1", name="f", input=""),
                ours("cut short", "gAAAA-3"),
            ],
        ),
        UserMsg(
            name="user",
            content=[
                ToolResultBlock(
                    id="call_1",
                    name="f",
                    output=[
                        TextBlock(text="done"),
                        DataBlock(source=Base64Source(data="iVBO", media_type="image/png")),
                    ],
                )
            ],
        ),
    ]
    items = await OpenAIResponseFormatter().format(msgs)
    assert items[0] == {"role": "system", "content": "Be brief."}
    assert items[1:5] == [
        {
            "type": "reasoning",
            "summary": [{"type": "summary_text", "text": "plan"}],
            "encrypted_content": "gAAAA-1",
        },
        {"role": "assistant", "content": "Calling."},
        {"type": "reasoning", "summary": [], "encrypted_content": "gAAAA-2"},
        {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
    ]
    # reasoning with nothing after it would be refused; other providers' never goes
    assert "gAAAA-3" not in str(items) and "anthropic-signature" not in str(items)
    assert items[5] == {
        "type": "function_call_output",
        "call_id": "call_1",
        "output": "done\n[image/png attached]",
    }
    assert items[6]["role"] == "user"
    assert items[6]["content"][1] == {
        "type": "input_image",
        "image_url": "data:image/png;base64,iVBO",
    }


async def test_multi_agent_formatter_groups_speakers() -> None:
    msgs = [UserMsg(name="alice", content="Tea?"), AssistantMsg(name="bob", content="Coffee.")]
    (item,) = await OpenAIResponseMultiAgentFormatter().format(msgs)
    assert item == {"role": "user", "content": "<history>\nalice: Tea?\nbob: Coffee.\n</history>"}
