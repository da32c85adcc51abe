"""``nox -s bench``: every benchmark, each against its baseline in the same run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "import_bench.py",
    "chat_bench.py",
    "embedding_bench.py",
    "tts_bench.py",
    "realtime_bench.py",
]
SCRIPTS.append("scale_bench.py")  # the rate limiter per call; specwire embed vs the live path


def main() -> int:
    failed = 0
    for script in SCRIPTS:
        path = HERE / script
        if not path.exists():
            continue
        print(f"\n== {script}", flush=True)
        failed |= subprocess.run([sys.executable, str(path)], check=False).returncode != 0
    return failed


if __name__ == "__main__":
    sys.exit(main())
