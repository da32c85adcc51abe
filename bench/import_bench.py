"""Cold import time of ``specwire.model`` against ``import httpx`` (fresh interpreters)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def cold_import_ms(statement: str, runs: int = 15) -> float:
    """Best wall time of a fresh interpreter running ``statement``, minus an empty one."""

    def best(code: str) -> float:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - t0)
        return min(times)

    return (best(statement) - best("pass")) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, help="write the results here (JSON)")
    args = parser.parse_args()
    httpx_ms = cold_import_ms("import httpx")
    model_ms = cold_import_ms("import specwire.model")
    used_ms = cold_import_ms("from specwire.model import OpenAIChatModel")
    numpy_loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, specwire.model; from specwire.model import OpenAIChatModel; print('numpy' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"import httpx: {httpx_ms:.1f} ms")
    print(
        f"import specwire.model: {model_ms:.1f} ms ({model_ms / httpx_ms:.2f}x httpx; target <= 150 ms and <= 1.7x)"
    )
    print(f"from specwire.model import OpenAIChatModel: {used_ms:.1f} ms")
    print(f"numpy imported on the chat path: {numpy_loaded}")
    if args.results:
        args.results.write_text(
            json.dumps({"httpx_ms": httpx_ms, "model_ms": model_ms, "used_ms": used_ms})
        )


if __name__ == "__main__":
    main()
