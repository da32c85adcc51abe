"""DashScope HTTP TTS against the loopback server: errors and retries."""

from __future__ import annotations

import pytest

from specwire._testing.loopback import LoopbackServer, Reply
from specwire._testing.tts_server import DashScopeHTTPTTS, HTTPTTSLoopback, fake_audio
from specwire._tts.response import block_audio
from specwire.credential import DashScopeCredential
from specwire.errors import BadRequestError
from specwire.tts import DashScopeTTSModel


def _model(base_url: str, **kwargs: object) -> DashScopeTTSModel:
    return DashScopeTTSModel(
        credential=DashScopeCredential(api_key="sk-test", base_url=base_url),
        model="qwen3-tts-flash",
        **kwargs,  # type: ignore[arg-type]
    )


async def test_streamed_audio_is_the_audio_of_the_text() -> None:
    async with HTTPTTSLoopback(chunk_size=7) as server:
        tts = _model(server.base_url, stream=True)
        chunks = [c async for c in await tts.synthesize("Good morning, 世界!")]  # type: ignore[union-attr]
        await tts.aclose()
    assert b"".join(block_audio(c.content) for c in chunks[:-1]) == fake_audio(
        "Good morning, 世界!"
    )


async def test_parameters_and_call_overrides_reach_the_body() -> None:
    async with HTTPTTSLoopback() as server:
        tts = _model(
            server.base_url,
            stream=False,
            parameters=DashScopeTTSModel.Parameters(voice="Ethan", language_type="English"),
        )
        await tts.synthesize("Hi.", voice="Serena", extra_body={"parameters": {"seed": 7}})
        await tts.aclose()
        body = server.requests[0].json()
    assert body == {
        "model": "qwen3-tts-flash",
        "input": {"text": "Hi.", "voice": "Serena", "language_type": "English"},
        "parameters": {"seed": 7},
    }


async def test_a_rejected_request_raises_and_is_not_retried() -> None:
    async with HTTPTTSLoopback() as server:
        tts = _model(
            server.base_url, stream=False, parameters=DashScopeTTSModel.Parameters(voice="")
        )
        with pytest.raises(BadRequestError) as info:
            await tts.synthesize("Hi.")
        await tts.aclose()
        assert info.value.status == 400 and info.value.code == "InvalidParameter"
        assert len(server.requests) == 1


async def test_server_errors_are_retried() -> None:
    responder = DashScopeHTTPTTS()
    failures = iter([Reply.json({"code": "InternalError", "message": "busy"}, status=503)])

    def answer(request):  # type: ignore[no-untyped-def]
        return next(failures, None) or responder(request)

    async with LoopbackServer(answer) as server:
        responder.server_url = server.url
        tts = _model(server.url + "/api/v1", stream=False, max_retries=2)
        tts._retry = tts._retry.__class__(  # keep the test fast
            max_retries=2, initial_delay=0.001, statuses=tts._retry.statuses, codes=tts._retry.codes
        )
        result = await tts.synthesize("Again.")
        await tts.aclose()
    assert result.content is not None
    assert block_audio(result.content).endswith(fake_audio("Again."))


async def test_text_is_required() -> None:
    tts = _model("http://127.0.0.1:9/api/v1")
    with pytest.raises(ValueError, match="text"):
        await tts.synthesize()


async def test_a_stream_without_inline_audio_ends_with_the_downloaded_file() -> None:
    responder = DashScopeHTTPTTS()

    def answer(request):  # type: ignore[no-untyped-def]
        reply = responder(request)
        if request.method == "POST":
            reply.body = reply.pieces()[-1:]  # only the last event: the file's URL
        return reply

    async with LoopbackServer(answer) as server:
        responder.server_url = server.url
        tts = _model(server.url + "/api/v1", stream=True)
        chunks = [c async for c in await tts.synthesize("File only.")]  # type: ignore[union-attr]
        await tts.aclose()
    (final,) = chunks
    assert final.is_last and final.content is not None
    assert final.content.source.media_type == "audio/wav"
    assert block_audio(final.content).endswith(fake_audio("File only."))
