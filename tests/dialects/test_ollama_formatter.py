"""Ollama formatters on conversations mixing text, images, thinking, tool calls and results."""

from __future__ import annotations

from specwire.formatter import OllamaChatFormatter, OllamaMultiAgentFormatter
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

PNG = "iVBORw0KGgo="


async def test_a_tool_round_trip_with_images_and_thinking() -> None:
    msgs = [
        SystemMsg(name="system", content="Be brief."),
        UserMsg(
            name="user",
            content=[
                TextBlock(text="What is this?"),
                DataBlock(source=Base64Source(data=PNG, media_type="image/png")),
                DataBlock(
                    source=Base64Source(data=f"data:image/png;base64,{PNG}", media_type="image/png")
                ),
            ],
        ),
        AssistantMsg(
            name="bot",
            content=[
                ThinkingBlock(thinking="Look it up.", signature="sig-from-elsewhere"),
                TextBlock(text="Checking."),
                ToolCallBlock(id="c1", name="lookup", input='{"q": "cat"}'),
            ],
        ),
        UserMsg(
            name="user",
            content=[
                ToolResultBlock(
                    id="c1",
                    name="lookup",
                    output=[
                        TextBlock(text="a cat"),
                        DataBlock(source=Base64Source(data=PNG, media_type="image/jpeg")),
                    ],
                )
            ],
        ),
    ]
    out = await OllamaChatFormatter().format(msgs)
    assert out[0] == {"role": "system", "content": "Be brief."}
    assert out[1] == {"role": "user", "content": "What is this?", "images": [PNG, PNG]}
    assert out[2] == {
        "role": "assistant",
        "content": "Checking.",
        "thinking": "Look it up.",
        "tool_calls": [{"id": "c1", "function": {"name": "lookup", "arguments": {"q": "cat"}}}],
    }
    assert out[3]["role"] == "tool" and out[3]["tool_name"] == "lookup"
    assert out[3]["content"].startswith("a cat") and out[3]["tool_call_id"] == "c1"
    assert out[4]["role"] == "user" and out[4]["images"] == [PNG]
    assert "sig-from-elsewhere" not in str(out)  # signatures mean nothing to Ollama


async def test_media_ollama_cannot_read_becomes_a_note_not_a_failure() -> None:
    msg = UserMsg(
        name="user",
        content=[
            TextBlock(text="See"),
            DataBlock(source=URLSource(url="https://x.test/cat.png", media_type="image/png")),
            DataBlock(source=Base64Source(data="AAAA", media_type="audio/wav"), name="clip.wav"),
        ],
    )
    (out,) = await OllamaChatFormatter().format([msg])
    assert "images" not in out
    assert "https://x.test/cat.png" in out["content"] and "clip.wav" in out["content"]


async def test_malformed_tool_arguments_from_history_do_not_break_the_request() -> None:
    msg = AssistantMsg(name="bot", content=[ToolCallBlock(id="c9", name="f", input='{"a": 1,')])
    (out,) = await OllamaChatFormatter().format([msg])
    assert out["tool_calls"][0]["function"]["arguments"] == {"a": 1}


async def test_multi_agent_formatter_groups_speakers_and_keeps_tool_turns() -> None:
    msgs = [
        SystemMsg(name="system", content="Moderate."),
        UserMsg(name="alice", content="I say yes."),
        AssistantMsg(name="bob", content="I say no."),
        AssistantMsg(name="bob", content=[ToolCallBlock(id="c1", name="vote", input="{}")]),
        UserMsg(name="user", content=[ToolResultBlock(id="c1", name="vote", output="2-1")]),
    ]
    out = await OllamaMultiAgentFormatter().format(msgs)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "tool"]
    assert "alice: I say yes." in out[1]["content"] and "bob: I say no." in out[1]["content"]
    assert out[1]["content"].startswith("<history>")
