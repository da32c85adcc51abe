"""Gemini chat and multi-agent formatters."""

from __future__ import annotations

from specwire.formatter import GeminiChatFormatter, GeminiMultiAgentFormatter
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
DATA_URL = DataBlock(source=Base64Source(data="data:image/gif;base64,R0lG", media_type="image/gif"))
AUDIO = DataBlock(source=Base64Source(data="UklGRg==", media_type="audio/wav"))


async def test_roles_media_thoughts_signatures_calls_and_responses() -> None:
    msgs = [
        SystemMsg(name="system", content="Be brief."),
        UserMsg(name="user", content=[TextBlock(text="What is this?"), URL_IMAGE, DATA_URL, AUDIO]),
        AssistantMsg(
            name="bot",
            content=[
                ThinkingBlock(thinking="A cat?", origin="gemini"),
                TextBlock(text="Let me look."),
                ThinkingBlock(thinking="", signature="textsig", origin="gemini"),
                ToolCallBlock(
                    id="gemini_call_r_1",
                    name="lookup",
                    input='{"q": "cat"}',
                    origin="gemini",
                    signature="callsig",
                ),
                ToolCallBlock(id="call_9", name="lookup", input='{"q": "dog"}', origin="gemini"),
            ],
        ),
        UserMsg(
            name="user",
            content=[
                ToolResultBlock(
                    id="gemini_call_r_1", name="lookup", output=[TextBlock(text="a cat"), DATA_URL]
                ),
                ToolResultBlock(id="call_9", name="lookup", output="no dog", state="error"),
            ],
        ),
    ]
    out = await GeminiChatFormatter().format(msgs)
    assert out[0] == {"role": "system", "parts": [{"text": "Be brief."}]}
    assert out[1] == {
        "role": "user",
        "parts": [
            {"text": "What is this?"},
            {"fileData": {"mimeType": "image/png", "fileUri": "https://example.com/cat.png"}},
            {"inlineData": {"mimeType": "image/gif", "data": "R0lG"}},
            {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
        ],
    }
    assert out[2] == {
        "role": "model",
        "parts": [
            {"text": "A cat?", "thought": True},
            {"text": "Let me look.", "thoughtSignature": "textsig"},
            {
                "functionCall": {"name": "lookup", "args": {"q": "cat"}},
                "thoughtSignature": "callsig",
            },
            {"functionCall": {"name": "lookup", "args": {"q": "dog"}, "id": "call_9"}},
        ],
    }
    assert out[3] == {
        "role": "user",
        "parts": [
            {
                "functionResponse": {
                    "name": "lookup",
                    "response": {"output": "a cat\n[image/gif attached]"},
                }
            },
            {"inlineData": {"mimeType": "image/gif", "data": "R0lG"}},
            {
                "functionResponse": {
                    "name": "lookup",
                    "response": {"error": "no dog"},
                    "id": "call_9",
                }
            },
        ],
    }


async def test_foreign_reasoning_dropped_and_foreign_ids_not_sent() -> None:
    msgs = [
        UserMsg(name="user", content="Weather?"),
        AssistantMsg(
            name="bot",
            content=[
                ThinkingBlock(thinking="from claude", signature="claudesig", origin="anthropic"),
                ThinkingBlock(thinking="from deepseek"),
                ToolCallBlock(id="toolu_1", name="weather", input="{}"),
            ],
        ),
        UserMsg(
            name="user", content=[ToolResultBlock(id="toolu_1", name="weather", output="rain")]
        ),
    ]
    out = await GeminiChatFormatter().format(msgs)
    assert out[1] == {"role": "model", "parts": [{"functionCall": {"name": "weather", "args": {}}}]}
    assert out[2]["parts"] == [
        {"functionResponse": {"name": "weather", "response": {"output": "rain"}}}
    ]


async def test_multi_agent_groups_agents_and_merges_parallel_responses() -> None:
    msgs = [
        SystemMsg(name="system", content="Moderate."),
        UserMsg(name="alice", content="Cats."),
        AssistantMsg(name="bob", content="Dogs."),
        AssistantMsg(
            name="carol",
            content=[
                ToolCallBlock(id="a", name="vote", input="{}"),
                ToolCallBlock(id="b", name="tally", input="{}"),
            ],
        ),
        UserMsg(name="tool", content=[ToolResultBlock(id="a", name="vote", output="tie")]),
        UserMsg(name="tool", content=[ToolResultBlock(id="b", name="tally", output="2-2")]),
    ]
    out = await GeminiMultiAgentFormatter().format(msgs)
    assert [m["role"] for m in out] == ["system", "user", "model", "user"]
    assert out[1]["parts"][0]["text"] == "<history>\nalice: Cats.\nbob: Dogs.\n</history>"
    assert [p["functionResponse"]["name"] for p in out[3]["parts"]] == ["vote", "tally"]
