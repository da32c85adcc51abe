"""The chat path stays light: using a chat model loads neither numpy nor websockets, and
importing a public module loads no provider module until a class is asked for."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import specwire.model, specwire.credential
before = sorted(m for m in sys.modules if m.startswith("specwire._generated.") and "registry" not in m)
from specwire.model import AnthropicChatModel, DashScopeChatModel, OpenAIChatModel
from specwire.credential import DashScopeCredential
DashScopeCredential.list_models()
print(json.dumps({"before": before, "numpy": "numpy" in sys.modules, "websockets": "websockets" in sys.modules}))
"""


def test_chat_path_loads_no_numpy_websockets_or_eager_provider_modules() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout)
    assert seen == {"before": [], "numpy": False, "websockets": False}


def _cold_import_seconds(module: str, runs: int = 7) -> float:
    """The best of ``runs`` fresh interpreters importing ``module``."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return min(
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    )


def test_cold_import_of_the_model_module_costs_less_than_httpx() -> None:
    # the budget: at most 1.7x a bare `import httpx` (telemetry, prices, cards: none loaded)
    ours, httpx = _cold_import_seconds("specwire.model"), _cold_import_seconds("httpx")
    assert ours <= 1.7 * httpx, (
        f"import specwire.model {ours * 1000:.0f} ms vs httpx {httpx * 1000:.0f} ms"
    )
    probe = "import sys, specwire.model; print(sorted(m for m in ('opentelemetry', 'genai_prices', 'pydantic', 'httpx') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
