"""Media in responses become ``DataBlock``s: OpenAI chat audio (whole and streamed, the
transcript kept as text), Qwen-Omni audio (DashScope compatible mode and native
protocol), OpenAI Responses image generation (previews streamed, the result final).

Cassettes are written from the documented wire formats; the expected bytes are read
from the cassette itself, never from the library."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from specwire._core.accumulator import StreamAccumulator
from specwire._testing import LoopbackServer, Reply
from specwire.credential import DashScopeCredential, OpenAICredential
from specwire.message import Base64Source, DataBlock, TextBlock, UserMsg
from specwire.model import ChatResponse, DashScopeChatModel, OpenAIChatModel, OpenAIResponseModel
from tests.conftest import CASSETTES, vcr_config
from tests.core.test_decoders import split_at

ASK = [UserMsg(name="user", content="Say hello")]


def recorded_body(cassette: str) -> str:
    data = yaml.safe_load((CASSETTES / cassette).read_text())
    body: str = data["interactions"][0]["response"]["body"]["string"]
    return body


def recorded_events(cassette: str) -> list[dict[str, Any]]:
    """The JSON payloads of a recorded SSE body."""
    events = []
    for line in recorded_body(cassette).splitlines():
        if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
            events.append(json.loads(line[5:]))
    return events


def recorded_audio_deltas(cassette: str) -> list[dict[str, Any]]:
    """The ``delta.audio`` objects of a recorded chat completions stream."""
    return [
        c["choices"][0]["delta"].get("audio") or {}
        for c in recorded_events(cassette)
        if c.get("choices")
    ]


def audio_of(blocks: list[Any]) -> bytes:
    """The decoded bytes of the data blocks among ``blocks``, joined."""
    out = b""
    for block in blocks:
        if isinstance(block, DataBlock):
            assert isinstance(block.source, Base64Source)
            out += base64.b64decode(block.source.data, validate=True)
    return out


def text_of(blocks: list[Any]) -> str:
    return "".join(b.text for b in blocks if isinstance(b, TextBlock))


async def replay(cassette: str, model: Any) -> list[ChatResponse]:
    with vcr.use_cassette(cassette, **vcr_config()):
        result = await model(ASK)
        if isinstance(result, ChatResponse):
            return [result]
        return [c async for c in result]


def openai(stream: bool, name: str = "gpt-4o-audio-preview") -> OpenAIChatModel:
    return OpenAIChatModel(
        credential=OpenAICredential(api_key="sk-test"), model=name, stream=stream
    )


def assert_deltas_join_to_the_final(chunks: list[ChatResponse]) -> DataBlock:
    deltas, final = chunks[:-1], chunks[-1]
    assert final.is_last and not any(c.is_last for c in deltas)
    (block,) = [b for b in final.content if isinstance(b, DataBlock)]
    pieces = [b for c in deltas for b in c.content if isinstance(b, DataBlock)]
    assert pieces and all(p.id == block.id for p in pieces)  # deltas extend one block
    assert audio_of(pieces) == audio_of([block])
    assert text_of([b for c in deltas for b in c.content]) == text_of(final.content)
    return block


# ------------------------------------------------------------------ OpenAI chat audio
async def test_openai_audio_answer_is_a_data_block_and_its_transcript_text() -> None:
    (response,) = await replay("openai/chat_audio.yaml", openai(stream=False))
    message = json.loads(recorded_body("openai/chat_audio.yaml"))["choices"][0]["message"]
    text, audio = response.content
    assert isinstance(text, TextBlock) and text.text == message["audio"]["transcript"]
    assert isinstance(audio, DataBlock) and isinstance(audio.source, Base64Source)
    assert audio.source.data == message["audio"]["data"]
    assert audio.source.media_type == "audio/wav"  # the bytes are a RIFF/WAVE file


async def test_openai_streamed_audio_pieces_join_to_the_final_audio() -> None:
    cassette = "openai/chat_stream_audio.yaml"
    chunks = await replay(cassette, openai(stream=True))
    block = assert_deltas_join_to_the_final(chunks)
    deltas = recorded_audio_deltas(cassette)
    sent = b"".join(base64.b64decode(d["data"]) for d in deltas if "data" in d)
    assert audio_of([block]) == sent and block.source.media_type == "audio/pcm;rate=24000"
    assert text_of(chunks[-1].content) == "".join(d.get("transcript", "") for d in deltas)
    assert chunks[-1].usage is not None and chunks[-1].usage.output_tokens == 33


@given(st.lists(st.integers(min_value=0, max_value=100_000), max_size=20))
@settings(max_examples=30, deadline=None)
def test_any_rechunking_of_a_streamed_audio_answer_keeps_every_byte(cuts: list[int]) -> None:
    body = recorded_body("openai/chat_stream_audio.yaml").encode()
    deltas = recorded_audio_deltas("openai/chat_stream_audio.yaml")
    expected = b"".join(base64.b64decode(d["data"]) for d in deltas if "data" in d)

    async def run() -> None:
        pieces = [p for p in split_at(body, cuts) if p]
        async with LoopbackServer([Reply(body=pieces, content_type="text/event-stream")]) as server:
            model = OpenAIChatModel(
                credential=OpenAICredential(api_key="sk-test", base_url=server.url + "/v1"),
                model="gpt-4o-audio-preview",
            )
            stream = await model(ASK)
            assert not isinstance(stream, ChatResponse)
            chunks = [c async for c in stream]
            await model.aclose()
        block = assert_deltas_join_to_the_final(chunks)
        assert audio_of([block]) == expected

    asyncio.run(run())


def test_pieces_padded_on_their_own_or_cut_mid_quantum_keep_every_byte() -> None:
    raw = bytes(range(256)) * 3
    padded = [base64.b64encode(raw[i : i + 7]).decode() for i in range(0, len(raw), 7)]
    acc = StreamAccumulator()
    for piece in padded:
        acc.media(piece, "audio/pcm")
    (merged,) = acc.take_delta()  # one network read holding every piece
    assert audio_of([merged]) == raw == audio_of(acc.final_blocks())
    text = base64.b64encode(raw).decode()
    acc = StreamAccumulator()
    taken: list[Any] = []
    for i in range(0, len(text), 5):  # cut anywhere, as one string's slices
        acc.media(text[i : i + 5], "audio/pcm")
        taken += acc.take_delta()
    assert audio_of(acc.final_blocks()) == raw
    assert raw.startswith(audio_of(taken))


# ------------------------------------------------------------------ Qwen-Omni audio
async def test_qwen_omni_compatible_mode_audio() -> None:
    cassette = "dashscope/compat_chat_stream_omni_audio.yaml"
    cred = DashScopeCredential(
        api_key="sk-test", base_url="https://dashscope.aliyuncs.com/compatible-mode/v1"
    )
    chunks = await replay(cassette, DashScopeChatModel(credential=cred, model="qwen3-omni-flash"))
    block = assert_deltas_join_to_the_final(chunks)
    deltas = recorded_audio_deltas(cassette)
    # Qwen-Omni streams one base64 string in slices: joined, then decoded
    assert audio_of([block]) == base64.b64decode("".join(d.get("data", "") for d in deltas))
    assert text_of(chunks[-1].content) == "I am Qwen, a model."


async def test_qwen_omni_native_protocol_audio_parts() -> None:
    cassette = "dashscope/native_chat_stream_omni_audio.yaml"
    cred = DashScopeCredential(api_key="sk-test", base_url="https://dashscope.aliyuncs.com/api/v1")
    chunks = await replay(cassette, DashScopeChatModel(credential=cred, model="qwen3-omni-flash"))
    block = assert_deltas_join_to_the_final(chunks)
    parts = [
        p["audio"]["data"]
        for e in recorded_events(cassette)
        for p in e["output"]["choices"][0]["message"]["content"]
        if "audio" in p
    ]
    assert audio_of([block]) == b"".join(base64.b64decode(p) for p in parts)
    assert text_of(chunks[-1].content) == "Hello!"
    assert [type(b) for b in chunks[-1].content] == [TextBlock, DataBlock]


def test_a_card_advertises_the_media_its_model_answers_with() -> None:
    cards = {card.name: card for card in DashScopeChatModel.list_models()}
    omni, plus = cards["qwen3-omni-flash"], cards["qwen-plus"]
    # the media type of the streamed audio block, without its parameters
    assert omni.produces("audio/pcm") and omni.produces("audio/*") and omni.accepts("video/*")
    assert not plus.produces("audio/*") and plus.produces("text/plain")


# ------------------------------------------------------------------ Responses images
def responses(stream: bool) -> OpenAIResponseModel:
    return OpenAIResponseModel(
        credential=OpenAICredential(api_key="sk-test"), model="gpt-4.1-mini", stream=stream
    )


async def test_responses_image_generation_result_is_a_data_block() -> None:
    cassette = "openai_responses/chat_image_generation.yaml"
    (response,) = await replay(cassette, responses(stream=False))
    item = json.loads(recorded_body(cassette))["output"][0]
    image, text = response.content
    assert isinstance(image, DataBlock) and isinstance(image.source, Base64Source)
    assert image.source.data == item["result"] and image.source.media_type == "image/png"
    assert isinstance(text, TextBlock) and text.text == "Here is your apple."


async def test_responses_streamed_image_previews_then_the_result() -> None:
    cassette = "openai_responses/chat_stream_image_generation.yaml"
    events = recorded_body(cassette).encode().split(b"\n\n")
    pieces = [e + b"\n\n" for e in events if e.strip()]  # one event per read, as served
    async with LoopbackServer([Reply(body=pieces, content_type="text/event-stream")]) as server:
        model = OpenAIResponseModel(
            credential=OpenAICredential(api_key="sk-test", base_url=server.url + "/v1"),
            model="gpt-4.1-mini",
        )
        stream = await model(ASK)
        assert not isinstance(stream, ChatResponse)
        chunks = [c async for c in stream]
        await model.aclose()
    recorded = recorded_events(cassette)
    preview = next(e for e in recorded if e["type"].endswith("partial_image"))
    done = next(e for e in recorded if e["type"] == "response.output_item.done")
    shown = [b for c in chunks[:-1] for b in c.content if isinstance(b, DataBlock)]
    assert [b.source.data for b in shown] == [  # type: ignore[union-attr]
        preview["partial_image_b64"],  # the preview, then the result replacing it
        done["item"]["result"],
    ]
    final_images = [b for b in chunks[-1].content if isinstance(b, DataBlock)]
    assert [b.source.data for b in final_images] == [done["item"]["result"]]  # type: ignore[union-attr]
    assert text_of(chunks[-1].content) == "Here is your apple."


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        (b"fLaC\x00\x00\x00\x22\x00\x00\x00\x00", "audio/flac"),
        (b"OggS\x00\x02\x00\x00\x00\x00\x00\x00", "audio/ogg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "image/jpeg"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c", "audio/pcm;rate=24000"),
    ],
)
def test_media_types_come_from_the_bytes(head: bytes, media_type: str) -> None:
    acc = StreamAccumulator()
    from specwire._dialects.media_output import openai_audio

    openai_audio(acc, {"data": base64.b64encode(head).decode()})
    (block,) = acc.final_blocks()
    assert isinstance(block, DataBlock) and block.source.media_type == media_type


def test_cassettes_carry_no_secrets() -> None:
    for name in (
        "openai/chat_audio.yaml",
        "openai/chat_stream_audio.yaml",
        "dashscope/compat_chat_stream_omni_audio.yaml",
        "dashscope/native_chat_stream_omni_audio.yaml",
        "openai_responses/chat_image_generation.yaml",
        "openai_responses/chat_stream_image_generation.yaml",
    ):
        text = Path(CASSETTES / name).read_text().lower()
        assert "authorization" not in text and "sk-" not in text


async def test_how_media_is_asked_for_audio_keywords_and_the_image_tool() -> None:
    # speech: the provider's own keywords go into the body as they are
    audio_body = recorded_body("openai/chat_audio.yaml").encode()
    image_body = recorded_body("openai_responses/chat_image_generation.yaml").encode()
    async with LoopbackServer([Reply(body=audio_body), Reply(body=image_body)]) as server:
        cred = OpenAICredential(api_key="sk-test", base_url=server.url + "/v1")
        chat = OpenAIChatModel(credential=cred, model="gpt-4o-audio-preview", stream=False)
        spoken = await chat(
            ASK, modalities=["text", "audio"], audio={"voice": "alloy", "format": "wav"}
        )
        # images: the Responses API's built-in tool, through extra_body
        responses_model = OpenAIResponseModel(credential=cred, model="gpt-4.1-mini", stream=False)
        drawn = await responses_model(ASK, extra_body={"tools": [{"type": "image_generation"}]})
        await chat.aclose()
        await responses_model.aclose()
    first, second = (r.json() for r in server.requests)
    assert first["modalities"] == ["text", "audio"] and first["audio"]["format"] == "wav"
    assert second["tools"] == [{"type": "image_generation"}]
    assert isinstance(spoken, ChatResponse) and isinstance(drawn, ChatResponse)
    assert any(isinstance(b, DataBlock) for b in spoken.content)
    assert any(isinstance(b, DataBlock) for b in drawn.content)
