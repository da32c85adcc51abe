"""The TTS examples of the reference guide, run with only the import renamed, against
the loopback servers (HTTP for DashScopeTTSModel, websocket for the realtime models).
The examples are read from the reference file beside the project, not copied."""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from specwire._testing.tts_server import HTTPTTSLoopback, ServerThread, TTSLoopbackServer
from tests.reference_guide import REFERENCE  # the guide beside the checkout


def tts_examples() -> dict[str, list[str]]:
    """Python blocks of the guide's TTS section, by sub-section heading."""
    files = sorted(REFERENCE.glob("001_*.txt"))
    if not files:
        pytest.skip(f"reference guide not found under {REFERENCE}")
    sections: dict[str, list[str]] = {}
    in_tts = False
    current: str | None = None
    block: list[str] | None = None
    for line in files[0].read_text().splitlines():
        heading = re.match(r"(#+) (.*)", line)
        if heading and block is None:
            level, title = len(heading.group(1)), heading.group(2).strip()
            if level == 2:
                in_tts = title == "TTS"
            current = title
            continue
        if not in_tts:
            continue
        stripped = line.strip()
        if block is None and stripped.startswith("```python"):
            block = []
        elif block is not None and stripped == "```":
            code = textwrap.dedent("\n".join(block)).replace("agentscope", "specwire")
            sections.setdefault(current or "", []).append(code)
            block = None
        elif block is not None:
            block.append(line)
    return sections


def run(code: str) -> tuple[dict[str, Any], str]:
    """Execute an example; its globals and what it printed."""
    scope: dict[str, Any] = {"__name__": "reference_example"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<reference example>", "exec"), scope)
    return scope, out.getvalue()


@pytest.fixture
def realtime_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[TTSLoopbackServer]:
    with ServerThread(TTSLoopbackServer()) as server:
        monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-example-key")
        monkeypatch.setenv("DASHSCOPE_BASE_URL", server.base_url)
        yield server


@pytest.fixture
def http_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[HTTPTTSLoopback]:
    with ServerThread(HTTPTTSLoopback()) as server:
        monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-example-key")
        monkeypatch.setenv("DASHSCOPE_BASE_URL", server.base_url)
        yield server


def test_create_examples_build_the_three_models(realtime_server: TTSLoopbackServer) -> None:
    blocks = tts_examples()["Create TTS Model"]
    names = []
    for code in blocks:
        scope, _ = run(code)
        tts = scope["tts"]
        names.append((type(tts).__name__, tts.model, tts.parameters.voice, tts.stream))
    assert names == [
        ("DashScopeTTSModel", "qwen3-tts-flash", "Cherry", True),
        ("DashScopeRealtimeTTSModel", "qwen3-tts-flash-realtime", "Serena", True),
        ("DashScopeCosyVoiceRealtimeTTSModel", "cosyvoice-v3-plus", "longanyang", True),
    ]


def test_streaming_synthesis_example(http_server: HTTPTTSLoopback) -> None:
    (code,) = [c for c in tts_examples()["Call TTS Model"] if "asyncio.run" in c]
    _, printed = run(code)
    sizes = re.findall(r"Audio chunk: (\d+) bytes", printed)
    assert sizes and all(int(n) > 0 for n in sizes)
    (request,) = [r for r in http_server.requests if r.method == "POST"]
    assert request.path == "/api/v1/services/aigc/multimodal-generation/generation"
    assert request.headers["x-dashscope-sse"] == "enable"
    assert request.json()["input"] == {"text": "Hello, world!", "voice": "Cherry"}


def test_realtime_push_example(realtime_server: TTSLoopbackServer) -> None:
    (code,) = tts_examples()["Realtime TTS (Streaming Input)"]
    run(code)
    (log,) = realtime_server.connections
    texts = [m["text"] for m in log.received if m["type"] == "input_text_buffer.append"]
    assert "".join(texts) == "Hello, how are you today?"
    assert log.received[0]["session"]["voice"] == "Cherry"
    assert log.received[-1]["type"] == "session.finish"


def test_card_examples_list_tts_models() -> None:
    blocks = tts_examples()["TTS Model Card"]
    scope, printed = run(blocks[0])
    names = {card.name for card in scope["cards"]}
    assert {"qwen3-tts-flash", "qwen3-tts-flash-realtime", "cosyvoice-v3-plus"} <= names
    assert "qwen3-tts-flash-realtime (realtime=True): Qwen3-TTS-Flash Realtime" in printed
    scope, _ = run(blocks[1])
    assert [c.name for c in scope["cards"]] == ["qwen3-tts-flash"]
    assert {c.name for c in scope["cosyvoice_cards"]} >= {"cosyvoice-v3-plus", "cosyvoice-v3-flash"}


def test_custom_tts_provider_example() -> None:
    (code,) = tts_examples()["Custom TTS Provider"]
    scope, _ = run(code)
    assert scope["MyCredential"].get_tts_model_classes() == [scope["MyTTSModel"]]
    assert scope["MyCredential"].list_tts_models() == []
