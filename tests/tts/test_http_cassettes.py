"""DashScope HTTP TTS (Qwen3-TTS) replayed from cassettes written from its documented
wire format (offline, no secrets)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import vcr

from specwire._core.blocks import Base64Source, URLSource
from specwire._core.transport import HttpTransport
from specwire._tts.response import block_audio
from specwire.credential import DashScopeCredential
from specwire.errors import BadRequestError
from specwire.tts import DashScopeTTSModel
from tests.conftest import CASSETTES, vcr_config

PCM = bytes(range(0, 240, 2)) * 2  # the stand-in audio the cassettes carry


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The requests the model sends (method, url, headers, body), as it sends them."""
    calls: list[dict[str, Any]] = []
    original = HttpTransport.open

    async def spy(self: HttpTransport, method: str, url: str, **kwargs: Any) -> Any:
        calls.append({"method": method, "url": url, **kwargs})
        return await original(self, method, url, **kwargs)

    monkeypatch.setattr(HttpTransport, "open", spy)
    return calls


def _model(stream: bool, **kwargs: object) -> DashScopeTTSModel:
    return DashScopeTTSModel(
        credential=DashScopeCredential(api_key="sk-test"),
        model="qwen3-tts-flash",
        parameters=DashScopeTTSModel.Parameters(voice="Cherry"),
        stream=stream,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_whole_answer_downloads_the_wav_it_points_to(sent: list[dict[str, Any]]) -> None:
    with vcr.use_cassette("tts/dashscope_tts.yaml", **vcr_config()):
        result = await _model(stream=False).synthesize("Hello, world!")
    assert not isinstance(result, type(None))
    assert result.is_last  # type: ignore[union-attr]
    source = result.content.source  # type: ignore[union-attr]
    assert isinstance(source, Base64Source) and source.media_type == "audio/wav"
    wav = base64.b64decode(source.data)
    assert wav.startswith(b"RIFF") and wav.endswith(PCM)
    assert result.usage.characters == 13  # type: ignore[union-attr]
    assert result.metadata["audio_url"].startswith("https://dashscope-result-bj")  # type: ignore[union-attr]
    post, get = sent
    assert post["method"] == "POST" and post["url"].endswith(
        "/api/v1/services/aigc/multimodal-generation/generation"
    )
    assert post["json_body"] == {
        "model": "qwen3-tts-flash",
        "input": {"text": "Hello, world!", "voice": "Cherry"},
    }
    assert post["headers"]["Authorization"] == "Bearer sk-test"
    assert "X-DashScope-SSE" not in post["headers"]
    # The file lives on a storage host: the API key must not travel there.
    assert get["method"] == "GET" and not get.get("headers")


async def test_whole_answer_can_stay_a_url(sent: list[dict[str, Any]]) -> None:
    with vcr.use_cassette("tts/dashscope_tts.yaml", **vcr_config()):
        result = await _model(stream=False, fetch_audio=False).synthesize("Hello, world!")
    source = result.content.source  # type: ignore[union-attr]
    assert isinstance(source, URLSource) and source.media_type == "audio/wav"
    assert source.url.startswith("https://dashscope-result-bj.oss-cn-beijing.aliyuncs.com/")
    assert [c["method"] for c in sent] == ["POST"]


async def test_streamed_deltas_join_to_the_final_chunk(sent: list[dict[str, Any]]) -> None:
    with vcr.use_cassette("tts/dashscope_tts_stream.yaml", **vcr_config()):
        chunks = [c async for c in await _model(stream=True).synthesize("Hello, world!")]  # type: ignore[union-attr]
    deltas, final = chunks[:-1], chunks[-1]
    assert len(deltas) == 3 and all(not c.is_last for c in deltas)
    assert final.is_last and final.usage is not None and final.usage.characters == 13
    assert {c.content.source.media_type for c in chunks} == {"audio/pcm;rate=24000"}  # type: ignore[union-attr]
    assert b"".join(block_audio(c.content) for c in deltas) == PCM == block_audio(final.content)
    assert len({c.id for c in chunks}) == 1
    assert final.metadata is not None and final.metadata["audio_url"].endswith(
        "Signature=PLACEHOLDER"
    )
    (post,) = sent
    assert post["headers"]["X-DashScope-SSE"] == "enable"


async def test_an_error_event_in_the_stream_raises_its_typed_error() -> None:
    model = DashScopeTTSModel(
        credential=DashScopeCredential(api_key="sk-test"),
        model="qwen3-tts-flash",
        parameters=DashScopeTTSModel.Parameters(voice="Nobody"),
        stream=True,
    )
    with vcr.use_cassette("tts/dashscope_tts_stream_error.yaml", **vcr_config()):
        stream = await model.synthesize("Hello, world!")
        with pytest.raises(BadRequestError) as info:
            async for _ in stream:  # type: ignore[union-attr]
                pass
    assert info.value.code == "InvalidParameter"
    assert "not supported" in info.value.message


def test_cassettes_carry_no_secrets() -> None:
    for path in (CASSETTES / "tts").glob("*.yaml"):
        text = path.read_text()
        assert "sk-" not in text and "authorization" not in text.lower(), path
