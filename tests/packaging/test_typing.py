"""What users' type checkers see: ``mypy --strict`` on every Python block of the README
and on tests/packaging/typing_probes.py passes, with every public class precisely typed,
under the editable install and from the wheel alike."""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT

PROBES = Path(__file__).with_name("typing_probes.py")


def _sources(folder: Path) -> list[Path]:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert blocks, "the README has no python blocks"
    folder.mkdir()
    files = []
    for i, block in enumerate(blocks):
        path = folder / f"readme_block_{i}.py"
        path.write_text(block)
        files.append(path)
    probes = folder / "typing_probes.py"
    probes.write_text(PROBES.read_text())
    return [*files, probes]


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # shared by both installs: pydantic's and httpx's analysis is the same in each
    return tmp_path_factory.mktemp("mypy_cache")


def _mypy(files: list[Path], python: str, cwd: Path, cache: Path) -> str:
    # A user's plain `mypy --strict`: no project config, no pydantic plugin.
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--config-file=",
        "--python-executable",
        python,
    ]
    cmd += ["--cache-dir", str(cache), *map(str, files)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _check_revealed(output: str) -> None:
    revealed = re.findall(r'Revealed type is "(.*)"', output)
    assert len(revealed) == PROBES.read_text().count("\nreveal_type("), output
    for text in revealed:
        assert "Any" not in text.replace("dict[str, Any]", ""), text
        assert "-> specwire." in text, text


def test_readme_and_probes_type_check_under_the_editable_install(
    tmp_path: Path, mypy_cache: Path
) -> None:
    files = _sources(tmp_path / "src")
    _check_revealed(_mypy(files, sys.executable, tmp_path, mypy_cache))


def test_readme_and_probes_type_check_from_the_wheel(
    tmp_path: Path, wheel_site: Path, mypy_cache: Path
) -> None:
    # A bare venv whose path holds the installed wheel, then this venv's dependencies
    # (whose editable-install .pth is not processed there, so the checkout stays out).
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    Path(site, "deps.pth").write_text(f"{wheel_site}\n{deps}\n")
    where = subprocess.run(
        [str(python), "-c", "import specwire; print(specwire.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(wheel_site)), where
    files = _sources(tmp_path / "src")
    _check_revealed(_mypy(files, str(python), tmp_path, mypy_cache))
