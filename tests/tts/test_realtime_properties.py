"""Properties of realtime TTS: however a text is split into pushes, whatever the cold
start, and wherever the socket drops (with retries left), the audio handed out by all
push() results plus synthesize() is exactly the audio of the whole text."""

from __future__ import annotations

import asyncio
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specwire._testing.tts_server import Fault, TTSLoopbackServer, fake_audio
from specwire._tts.response import block_audio
from tests.tts.helpers import audio_of, realtime_model

WORDS = st.sampled_from(
    ["Hello", "world", "fish", "你好", "天气", "good", "a", "day", "très", "bien", "🙂", "x"]
)
SEPARATORS = st.sampled_from([" ", " ", ", ", ". ", "! ", "? ", "。", "\n", ""])
TEXTS = st.lists(st.tuples(WORDS, SEPARATORS), min_size=1, max_size=14).map(
    lambda parts: "".join(w + s for w, s in parts)
)


@st.composite
def splits(draw: st.DrawFn) -> list[str]:
    """A text cut into consecutive pieces (some of them empty)."""
    text = draw(TEXTS)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


COLD_STARTS = st.tuples(st.none() | st.integers(1, 30), st.none() | st.integers(1, 5))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(
    protocol: str,
    pieces: list[str],
    cold: tuple[int | None, int | None],
    faults: list[Fault],
    stream: bool,
) -> None:
    text = "".join(pieces)

    async def scenario() -> None:
        async with TTSLoopbackServer(faults=faults, chunk_size=5) as server:
            tts = realtime_model(
                protocol,
                server.base_url,
                cold_start_length=cold[0],
                cold_start_words=cold[1],
                max_retries=3,
                stream=stream,
            )
            collected = b""
            async with tts:
                for piece in pieces:
                    collected += block_audio((await tts.push(piece)).content)
                    await asyncio.sleep(0)
                collected += await audio_of(await tts.synthesize())
            assert collected == fake_audio(text), (pieces, cold, faults)

    asyncio.run(scenario())


@SETTINGS
@given(pieces=splits(), cold=COLD_STARTS, stream=st.booleans())
def test_qwen_audio_of_any_split_is_the_audio_of_the_text(
    pieces: list[str], cold: tuple[int | None, int | None], stream: bool
) -> None:
    _run("qwen", pieces, cold, [], stream)


@SETTINGS
@given(pieces=splits(), cold=COLD_STARTS, stream=st.booleans())
def test_cosyvoice_audio_of_any_split_is_the_audio_of_the_text(
    pieces: list[str], cold: tuple[int | None, int | None], stream: bool
) -> None:
    _run("cosyvoice", pieces, cold, [], stream)


@SETTINGS
@given(
    pieces=splits(),
    cold=COLD_STARTS,
    drops=st.lists(st.integers(0, 60), min_size=1, max_size=3),
    stream=st.booleans(),
)
def test_qwen_audio_survives_drops_anywhere(
    pieces: list[str], cold: tuple[int | None, int | None], drops: list[int], stream: bool
) -> None:
    _run("qwen", pieces, cold, [Fault(drop_after=n) for n in drops], stream)


@SETTINGS
@given(
    pieces=splits(),
    cold=COLD_STARTS,
    drops=st.lists(st.integers(0, 60), min_size=1, max_size=3),
    stream=st.booleans(),
)
def test_cosyvoice_audio_survives_drops_anywhere(
    pieces: list[str], cold: tuple[int | None, int | None], drops: list[int], stream: bool
) -> None:
    _run("cosyvoice", pieces, cold, [Fault(drop_after=n) for n in drops], stream)
