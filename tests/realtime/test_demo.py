"""``specwire demo realtime`` runs offline over the three protocols."""

from __future__ import annotations

import subprocess
import sys


def test_the_realtime_demo_runs_every_protocol() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from specwire._cli import main; sys.exit(main(['demo', 'realtime']))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for header in ("== OpenAI Realtime", "== Gemini Live", "== Qwen-Omni-Realtime"):
        assert header in out
    assert out.count("done: tool_calls") == 3 and out.count("done: interrupted") == 3
    assert out.count("The weather is sunny, 21 C.") >= 3
    assert "4 conversation items re-created" in out  # OpenAI restored
    assert "resumed by the server" in out  # Gemini after goAway
    assert "lost: the conversation so far" in out  # Qwen-Omni has no restore
    assert "You said: what is the weather in Paris | tell me a long story" in out
