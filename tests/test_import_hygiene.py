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
