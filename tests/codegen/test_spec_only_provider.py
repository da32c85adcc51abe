"""Adding a provider needs no Python, tests included: a copy of the project gains a
throwaway OpenAI-compatible spec with cards (one whose file name cannot be its model id),
is regenerated, and the public-API, catalog and CLI tests pass there unchanged."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

from codegen.render import generate
from tests.conftest import ROOT

SPEC = """
provider: zeta
label: Zeta Cloud
docs: https://zeta.example/docs
credential:
  class_name: ZetaCredential
  type: zeta_credential
  title: Zeta API
  base_url: https://api.zeta.example/v1
  fields:
    - name: api_key
      description: Zeta API key.
      secret: true
      env: [ZETA_API_KEY]
  auth: {placement: header, field: api_key, name: Authorization, scheme: Bearer}
models:
  - family: chat
    class_name: ZetaChatModel
    type: zeta_chat
    primary: true
    endpoint:
      dialect: openai_chat
      path: /chat/completions
      stream: {format: sse, terminator: "[DONE]"}
      options: {reasoning_fields: [reasoning], stream_usage: true}
      errors:
        status: error.status_code
        classes: {tool_use_failed: BadRequestError, capacity_exceeded: ServerError}
    retry: {statuses: [429, 500, 503], codes: [capacity_exceeded]}
    cards: cards/zeta/chat
    parameters:
      properties:
        temperature: {type: number, title: Temperature, minimum: 0, maximum: 2}
        max_tokens: {type: integer, title: Max output tokens, exclusiveMinimum: 0}
        reasoning_effort: {type: string, title: Reasoning effort, enum: [low, medium, high]}
"""

CARDS = {
    # a model id with a slash cannot be a file name
    "openai-gpt-oss-120b.yaml": """
name: openai/gpt-oss-120b
label: GPT-OSS 120B (on Zeta)
status: active
input_types: [text/plain]
output_types: [text/plain, application/x-thinking]
context_size: 131072
output_size: 32768
parameter_overrides:
  max_tokens: {maximum: 32768}
source: https://zeta.example/models (retrieved 2026-11-23)
""",
    "zeta-mini.yaml": """
name: zeta-mini
label: Zeta Mini
status: active
input_types: [text/plain, image/png]
output_types: [text/plain]
context_size: 32768
output_size: 8192
parameter_overrides:
  max_tokens: {maximum: 8192}
  reasoning_effort: null
source: https://zeta.example/models (retrieved 2026-11-23)
""",
}

COPIED = ("codegen", "handwritten", "generated", "spec", "tests", "pyproject.toml")
RUN_THERE = (
    "tests/test_public_api.py",
    "tests/cards/test_cli.py",
    "tests/cards/test_card_data.py",
    "tests/cards/test_loading.py",
    "tests/cards/test_codegen_cards.py",
)


def _isolated_env(project: Path) -> dict[str, str]:
    """Python sees the copy, not this worktree: no site hooks (-S drops the editable
    install's .pth), the copy's two source roots, then the installed dependencies."""
    paths = [project / "handwritten", project / "generated", project]
    packages = [*site.getsitepackages(), site.getusersitepackages()]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ZETA_"))}
    env["PYTHONPATH"] = os.pathsep.join([*map(str, paths), *packages])
    return env


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-S", *args],
        cwd=project,
        env=_isolated_env(project),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_new_provider_is_a_spec_and_cards_and_the_tests_pass_unchanged(tmp_path: Path) -> None:
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=ignore)
        else:
            shutil.copy2(source, project / name)
    (project / "spec" / "providers" / "zeta.yaml").write_text(SPEC)
    cards = project / "spec" / "cards" / "zeta" / "chat"
    cards.mkdir(parents=True)
    for file_name, text in CARDS.items():
        (cards / file_name).write_text(text)

    # in this process: the Parameters classes generated before are reused
    generate(project / "spec", project / "generated")
    assert (project / "generated" / "specwire" / "_generated" / "zeta.py").exists()

    where = _run(
        project,
        "-c",
        "import specwire, specwire.model as m; print(specwire.__path__[0]); "
        "print(m.ZetaChatModel.__module__)",
    )
    assert where.returncode == 0, where.stderr
    assert where.stdout.split() == [
        str(project / "handwritten" / "specwire"),
        "specwire._generated.zeta",
    ]

    cli = "import sys; from specwire._cli import main; sys.exit(main(sys.argv[1:]))"
    listed = _run(project, "-c", cli, "models", "zeta", "--json")
    assert listed.returncode == 0, listed.stderr
    assert sorted(c["name"] for c in json.loads(listed.stdout)) == [
        "openai/gpt-oss-120b",
        "zeta-mini",
    ]

    tests = _run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *RUN_THERE)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout
