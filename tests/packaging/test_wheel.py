"""A built wheel imports exactly like the editable install, data files included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

PUBLIC = [
    "specwire.model",
    "specwire.credential",
    "specwire.message",
    "specwire.formatter",
    "specwire.tool",
    "specwire.errors",
    "specwire.embedding",
    "specwire.tts",
]

PROBE = """
import importlib, json, pathlib, sys
out = {}
for name in PUBLIC_MODULES:
    try:
        mod = importlib.import_module(name)
    except ModuleNotFoundError:
        continue
    names = sorted(mod.__all__)
    for n in names:
        getattr(mod, n)
    out[name] = names
import specwire
root = pathlib.Path(specwire.__file__).parent
out["py.typed"] = (root / "py.typed").exists()
from specwire.model import OpenAIChatModel
out["cards"] = len(OpenAIChatModel.list_models())
out["file"] = specwire.__file__
print(json.dumps(out))
""".replace("PUBLIC_MODULES", repr(PUBLIC))


def _probe(env_path: str | None) -> dict[str, object]:
    env = dict(os.environ)
    cmd = [sys.executable, "-c", PROBE]
    if env_path is not None:
        # -S: no site-packages .pth files, so the editable checkout cannot leak in.
        env["PYTHONPATH"] = env_path
        cmd.insert(1, "-S")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, cwd="/")
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_wheel_matches_editable_install(wheel_site: Path) -> None:
    target = wheel_site
    deps = sysconfig.get_paths()["purelib"]
    from_wheel = _probe(f"{target}{os.pathsep}{deps}")
    editable = _probe(None)
    assert str(from_wheel["file"]).startswith(str(target)), from_wheel["file"]
    assert from_wheel.pop("file") != editable.pop("file")
    assert from_wheel == editable
    assert (
        from_wheel["py.typed"] is True
        and isinstance(from_wheel["cards"], int)
        and from_wheel["cards"] > 0
    )


# Everything the dev extra adds, made unimportable: `pip install .` has none of it.
DEV_ONLY = [
    "pytest",
    "hypothesis",
    "vcr",
    "nox",
    "mypy",
    "ruff",
    "jinja2",
    "jsonschema",
    "datamodel_code_generator",
    "redis",
    "genai_prices",
    "opentelemetry",
    "build",
    "hatchling",
]


def test_the_demo_and_the_cli_run_from_a_plain_install(wheel_site: Path) -> None:
    deps = sysconfig.get_paths()["purelib"]
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{wheel_site}{os.pathsep}{deps}"
    script = (
        "import sys\n"
        f"for name in {DEV_ONLY!r}: sys.modules[name] = None\n"
        "from specwire._cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    outputs = []
    for argv in (["demo"], ["--version"], ["models", "deepseek"]):
        done = subprocess.run(
            [sys.executable, "-S", "-c", script, *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd="/",
            check=False,
        )
        assert done.returncode == 0, (argv, done.stderr)
        assert "Traceback" not in done.stderr
        outputs.append(done.stdout)
    demo, version, models = outputs
    assert "== streamed chat" in demo and "Final:" in demo, demo
    assert version.startswith("specwire ") and "deepseek-v4-pro" in models
