"""The README's realtime example runs as written against the offline demo server and
type-checks under ``mypy --strict``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def realtime_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Realtime voice sessions", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README's realtime section has no Python example"
    return match.group(1)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("readme") / "realtime_example.py"
    path.write_text(realtime_example(), encoding="utf-8")
    return path


def test_the_readme_realtime_example_runs(example: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(example)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("stop ") and "The weather is sunny, 21 C." in lines[0]
    assert lines[1].endswith(" bytes of audio") and int(lines[1].split()[0]) > 0


def test_the_readme_realtime_example_type_checks(example: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(example)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
