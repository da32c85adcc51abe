"""The spec's ``batch:`` sections: codegen binds them into the generated classes, and
refuses one that disagrees with the batch format it names, with file and path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.load import SpecError, load_schema, load_spec
from specwire._core.binding import TERMINAL_BATCH_STATES
from specwire.embedding import GeminiEmbeddingModel, OpenAIEmbeddingModel
from specwire.model import AnthropicChatModel, DashScopeChatModel, OpenAIChatModel
from tests.conftest import ROOT

SCHEMA = load_schema(ROOT / "spec")


def test_generated_classes_carry_their_batch_binding() -> None:
    openai = OpenAIChatModel.binding.batch
    assert openai is not None and openai.format == "openai_batch" and openai.input == "file"
    assert openai.line_url == "/v1/chat/completions" and openai.limits["requests"] == 50_000
    assert OpenAIEmbeddingModel.binding.batch.limits["inputs"] == 50_000  # type: ignore[union-attr]
    anthropic = AnthropicChatModel.binding.batch
    assert anthropic is not None and anthropic.states["ended"] == "completed"
    gemini = GeminiEmbeddingModel.binding.batch
    assert gemini is not None and gemini.limits["inputs_per_line"] == 1
    dashscope = DashScopeChatModel.binding.batch
    assert dashscope is not None
    assert dashscope.base_url("https://dashscope.aliyuncs.com/api/v1") == (
        "https://dashscope.aliyuncs.com/compatible-mode/v1"
    )
    for cls in (OpenAIChatModel, AnthropicChatModel, DashScopeChatModel, GeminiEmbeddingModel):
        assert set(cls.binding.batch.states.values()) & TERMINAL_BATCH_STATES  # type: ignore[union-attr]


def _spec(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "spec" / "providers" / f"{name}.yaml").read_text()
    )
    return data


@pytest.mark.parametrize(
    ("change", "path", "expected"),
    [
        (
            lambda b: b.update(format="openai_batchh"),
            "batch.format",
            "expected one of ['anthropic_batch'",
        ),
        (lambda b: b.update(format="anthropic_batch"), "batch.input", "expected one of ['inline']"),
        (lambda b: b["paths"].pop("upload"), "batch.paths.upload", "'openai_batch' calls it"),
        (lambda b: b.pop("line_url"), "batch.line_url", "expected the endpoint"),
        (lambda b: b.update(states={"validating": "pending"}), "batch.states", "terminal"),
    ],
)
def test_a_bad_batch_section_is_refused_with_file_and_path(
    tmp_path: Path, change: Any, path: str, expected: str
) -> None:
    data = _spec("openai")
    change(data["models"][0]["batch"])
    target = tmp_path / "openai.yaml"
    target.write_text(yaml.safe_dump(data))
    with pytest.raises(SpecError) as caught:
        load_spec(target, SCHEMA)
    message = str(caught.value)
    assert str(target) in message and f"models[0].{path}" in message and expected in message


def test_a_format_for_another_family_is_refused(tmp_path: Path) -> None:
    data = _spec("openai")
    embedding = next(m for m in data["models"] if m["family"] == "embedding")
    index = data["models"].index(embedding)
    embedding["batch"] = {
        "format": "anthropic_batch",
        "input": "inline",
        "paths": {"create": "/b", "get": "/b/{id}", "cancel": "/b/{id}/c", "results": "/b/{id}/r"},
        "states": {"ended": "completed"},
    }
    target = tmp_path / "openai.yaml"
    target.write_text(yaml.safe_dump(data))
    with pytest.raises(
        SpecError, match=rf"models\[{index}\]\.batch\.format: 'anthropic_batch' carries \['chat'\]"
    ):
        load_spec(target, SCHEMA)
