"""The generator: golden output, spec validation errors, and a spec-only provider."""

from __future__ import annotations

import filecmp
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from codegen.load import SpecError
from codegen.render import generate
from specwire._testing import LoopbackServer, Reply
from specwire.message import TextBlock, UserMsg
from tests.conftest import ROOT

GENERATED = ROOT / "generated" / "specwire" / "_generated"


def test_regeneration_matches_checked_in_generated_code(fresh_generation: Path) -> None:
    fresh = fresh_generation
    ours = sorted(p.relative_to(GENERATED) for p in GENERATED.rglob("*.py"))
    theirs = sorted(p.relative_to(fresh) for p in fresh.rglob("*.py"))
    assert ours == theirs, (
        "generated/ has files the specs do not give (or lacks some): run nox -s regenerate"
    )
    stale = [str(p) for p in ours if not filecmp.cmp(GENERATED / p, fresh / p, shallow=False)]
    assert not stale, f"generated/ differs from the specs for {stale}: run nox -s regenerate"
    # mypy reads py.typed per source root: the editable install needs this one
    assert (fresh.parent / "py.typed").exists() and (GENERATED.parent / "py.typed").exists()


def test_generation_is_deterministic(fresh_generation: Path, tmp_path: Path) -> None:
    # Across processes (hash seeds, tool runs) the golden test above already compares a
    # fresh generation with the checked-in one; this repeats rendering within a process.
    generate(ROOT / "spec", tmp_path)
    again = tmp_path / "specwire" / "_generated"
    for path in fresh_generation.rglob("*.py"):
        assert path.read_bytes() == (again / path.relative_to(fresh_generation)).read_bytes()


def _spec_copy(tmp_path: Path) -> Path:
    spec = tmp_path / "spec"
    shutil.copytree(ROOT / "spec", spec)
    return spec


def _base_spec() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "spec" / "providers" / "deepseek.yaml").read_text())


@pytest.mark.parametrize(
    ("mutate", "where", "expected"),
    [
        (lambda s: s["credential"].pop("base_url"), "credential", "base_url"),
        (
            lambda s: s["models"][0]["endpoint"]["stream"].update(format="carrier-pigeon"),
            "models[0].endpoint.stream.format",
            "one of",
        ),
        (
            lambda s: s["models"][0]["parameters"]["properties"]["temperature"].update(
                type="float"
            ),
            "models[0].parameters.properties.temperature.type",
            "one of",
        ),
        (
            lambda s: s["models"][0].update(class_name="lower_case"),
            "models[0].class_name",
            "matching",
        ),
        (lambda s: s["models"][0].update(colour="blue"), "models[0]", "unexpected field"),
        (
            lambda s: s["models"][0]["retry"].update(statuses=[200]),
            "models[0].retry.statuses[0]",
            "minimum",
        ),
    ],
)
def test_broken_spec_names_file_path_and_expectation(
    tmp_path: Path, mutate: object, where: str, expected: str
) -> None:
    spec_dir = _spec_copy(tmp_path)
    data = _base_spec()
    mutate(data)  # type: ignore[operator]
    (spec_dir / "providers" / "deepseek.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(SpecError) as info:
        generate(spec_dir, tmp_path / "out")
    message = str(info.value)
    assert "deepseek.yaml" in message and where in message and expected in message, message


def test_semantic_errors_are_reported(tmp_path: Path) -> None:
    spec_dir = _spec_copy(tmp_path)
    data = _base_spec()
    data["models"][0]["parameters"]["properties"]["temperature"].update(minimum=3, maximum=1)
    (spec_dir / "providers" / "deepseek.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(
        SpecError,
        match=r"deepseek.yaml: models\[0\].parameters.properties.temperature: minimum 3 > maximum 1",
    ):
        generate(spec_dir, tmp_path / "out")


ACME_SPEC = """
provider: acme
label: Acme Inference
credential:
  class_name: AcmeCredential
  type: acme_credential
  title: Acme API
  base_url: https://api.acme.example/v1
  fields:
    - name: api_key
      description: Acme key.
      secret: true
      env: [ACME_API_KEY]
  auth: {placement: header, field: api_key, name: X-Acme-Key, scheme: null}
models:
  - family: chat
    class_name: AcmeChatModel
    type: acme_chat
    endpoint:
      dialect: openai_chat
      path: /chat/completions
      stream: {format: sse, terminator: "[DONE]"}
      fixed_body: {safe_mode: true}
      options: {reasoning_fields: [reasoning], send_reasoning: never, stream_usage: false}
    parameters:
      properties:
        temperature: {type: number, minimum: 0, maximum: 1}
        max_tokens: {type: integer, exclusiveMinimum: 0, x-wire: max_new_tokens}
"""


async def test_a_new_openai_compatible_provider_is_a_spec_file_only(tmp_path: Path) -> None:
    spec_dir = _spec_copy(tmp_path)
    (spec_dir / "providers" / "acme.yaml").write_text(ACME_SPEC)
    generate(spec_dir, tmp_path / "out")
    source = tmp_path / "out" / "specwire" / "_generated" / "acme.py"
    assert source.read_text().startswith(
        "# Generated by `nox -s regenerate` from spec/providers/acme.yaml"
    )
    module_spec = importlib.util.spec_from_file_location("specwire._generated.acme", source)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules["specwire._generated.acme"] = module
    try:
        module_spec.loader.exec_module(module)
        with pytest.raises(ValueError):
            module.AcmeChatModel.Parameters(temperature=1.5)
        events = [
            {"choices": [{"index": 0, "delta": {"reasoning": "hm", "content": "Hi"}}]},
            {"choices": [{"index": 0, "delta": {"content": " there"}, "finish_reason": "stop"}]},
        ]
        async with LoopbackServer([Reply.sse(events)]) as server:
            cred = module.AcmeCredential(api_key="acme-secret", base_url=server.url + "/v1")
            model = module.AcmeChatModel(
                credential=cred,
                model="acme-1",
                parameters=module.AcmeChatModel.Parameters(max_tokens=9),
            )
            chunks = [c async for c in await model([UserMsg(name="user", content="hello")])]
            request = server.requests[0]
        assert (
            request.headers["x-acme-key"] == "acme-secret"
            and request.path == "/v1/chat/completions"
        )
        body = request.json()
        assert (
            body["safe_mode"] is True
            and body["max_new_tokens"] == 9
            and "stream_options" not in body
        )
        final = chunks[-1]
        assert [b.text for b in final.content if isinstance(b, TextBlock)] == ["Hi there"]
        assert module.AcmeCredential.get_chat_model_class() is module.AcmeChatModel
    finally:
        sys.modules.pop("specwire._generated.acme", None)
