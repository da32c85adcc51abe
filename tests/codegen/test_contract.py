"""Specs against the dialect registry: every kind of disagreement refused with the file,
the path inside it and what was expected; every registered dialect keeps the contract."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import contract
from codegen.load import SpecError, load_schema, load_spec
from specwire._core.contract import FAMILIES, Dialect, DialectOptions
from specwire._dialects import DIALECTS, load_dialect, register_dialect
from specwire._dialects.openai_chat import OpenAIChatDialect
from tests.conftest import ROOT

SCHEMA = load_schema(ROOT / "spec")


def _spec(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "spec" / "providers" / f"{name}.yaml").read_text()
    )
    return data


def _load(tmp_path: Path, name: str, data: dict[str, Any]) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    load_spec(path, SCHEMA)


def _model(data: dict[str, Any], class_name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in data["models"] if m["class_name"] == class_name)
    return found


Mutation = Callable[[dict[str, Any]], None]

CASES: list[tuple[str, str, Mutation, str, str]] = [
    (
        "unknown dialect",
        "deepseek",
        lambda s: s["models"][0]["endpoint"].update(dialect="openai_chatt"),
        "models[0].endpoint.dialect",
        "expected one of the chat dialects ['anthropic', 'dashscope', 'gemini', 'ollama', "
        "'openai_chat', 'openai_responses'], got unknown dialect 'openai_chatt'",
    ),
    (
        "a dialect of another family",
        "deepseek",
        lambda s: s["models"][0]["endpoint"].update(dialect="openai_embeddings"),
        "models[0].endpoint.dialect",
        "got 'openai_embeddings', a embedding dialect",
    ),
    (
        "a misspelt option",
        "deepseek",
        lambda s: s["models"][0]["endpoint"]["options"].update(reasoning_field=["x"]),
        "models[0].endpoint.options.reasoning_field",
        "unknown option of dialect 'openai_chat'; it reads ['reasoning_fields', "
        "'send_reasoning', 'stream_usage']",
    ),
    (
        "an option of the wrong type",
        "deepseek",
        lambda s: s["models"][0]["endpoint"]["options"].update(stream_usage="sometimes"),
        "models[0].endpoint.options.stream_usage",
        "expected a valid boolean",
    ),
    (
        "an option value outside its choices",
        "deepseek",
        lambda s: s["models"][0]["endpoint"]["options"].update(send_reasoning="sometimes"),
        "models[0].endpoint.options.send_reasoning",
        "'never', 'tool_turns' or 'always', got 'sometimes'",
    ),
    (
        "a nested option's unknown field",
        "dashscope",
        lambda s: _model(s, "DashScopeRealtimeTTSModel")["endpoint"]["options"][
            "server_events"
        ].update(audio="x"),
        "models[2].endpoint.options.server_events.audio",
        "unknown field",
    ),
    (
        "an x-wire: null parameter the dialect does not place",
        "deepseek",
        lambda s: s["models"][0]["parameters"]["properties"]["seed"].update({"x-wire": None}),
        "models[0].parameters.properties.seed.x-wire",
        "dialect 'openai_chat' (models[0].endpoint) does not place 'seed' itself",
    ),
    (
        "a parameter the dialect places given a body path",
        "anthropic",
        lambda s: s["models"][0]["parameters"]["properties"]["thinking_budget"].update(
            {"x-wire": "thinking.budget_tokens"}
        ),
        "models[0].parameters.properties.thinking_budget.x-wire",
        "expected null: dialect 'anthropic' (models[0].endpoint) places 'thinking_budget' itself",
    ),
    (
        "an error class that does not exist",
        "deepseek",
        lambda s: s["models"][0]["endpoint"]["errors"]["classes"].update(boom="TeapotError"),
        "models[0].endpoint.errors.classes.boom",
        "expected one of",
    ),
    (
        "an error path that is not dotted keys",
        "deepseek",
        lambda s: s["models"][0]["endpoint"].update(errors={"status": ["error/status"]}),
        "models[0].endpoint.errors.status",
        "expected",
    ),
    (
        "a variant's option",
        "dashscope",
        lambda s: s["models"][0]["variants"][0]["endpoint"]["options"].update(colour=1),
        "models[0].variants[0].endpoint.options.colour",
        "unknown option of dialect 'openai_chat'",
    ),
    (
        "a variant's dialect that does not place an x-wire: null parameter",
        "dashscope",
        lambda s: _model(s, "DashScopeEmbeddingModel")["variants"][0]["endpoint"].update(
            dialect="gemini"
        ),
        "models[4].variants[0].endpoint.dialect",
        "expected one of the embedding dialects",
    ),
]


@pytest.mark.parametrize(
    ("provider", "mutate", "where", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_spec_that_disagrees_with_its_dialect_is_refused(
    tmp_path: Path, provider: str, mutate: Mutation, where: str, expected: str
) -> None:
    data = _spec(provider)
    mutate(data)
    with pytest.raises(SpecError) as info:
        _load(tmp_path, provider, data)
    message = str(info.value)
    assert f"{provider}.yaml: {where}: " in message and expected in message, message


def test_base_import_paths_are_gone_from_specs(tmp_path: Path) -> None:
    data = _spec("openai")
    data["models"][2]["base"] = "specwire._embedding.spec_model:SpecEmbeddingModel"
    with pytest.raises(SpecError, match=r"openai.yaml: models\[2\]: unexpected field"):
        _load(tmp_path, "openai", data)


def test_every_checked_in_spec_keeps_the_contract() -> None:
    for path in sorted((ROOT / "spec" / "providers").glob("*.yaml")):
        load_spec(path, SCHEMA)  # raises on any disagreement


def test_every_registered_dialect_keeps_the_contract() -> None:
    dialects = contract.dialects()
    assert sorted(dialects) == sorted(DIALECTS)
    for name, cls in dialects.items():
        assert cls.name == name and cls.family in FAMILIES, name
        assert issubclass(cls.Options, DialectOptions), name
        cls.Options()  # every option has a default: a spec sets only what differs
        module, _, attr = cls.model_base.partition(":")
        assert isinstance(getattr(importlib.import_module(module), attr), type), name
        for field in cls.Options.model_fields.values():
            assert field.description, f"{name}: option without a docstring"


def test_every_option_a_dialect_reads_is_set_by_some_spec() -> None:
    seen: dict[str, set[str]] = {}
    for path in sorted((ROOT / "spec" / "providers").glob("*.yaml")):
        for model in yaml.safe_load(path.read_text())["models"]:
            endpoints = [model["endpoint"]] + [v["endpoint"] for v in model.get("variants", [])]
            for endpoint in endpoints:
                seen.setdefault(endpoint["dialect"], set()).update(endpoint.get("options", {}))
    for name, cls in contract.dialects().items():
        declared = {f.alias or n for n, f in cls.Options.model_fields.items()}
        assert declared <= seen.get(name, set()), f"{name}: no spec sets {declared - seen[name]}"


def test_a_dialect_reads_its_options_typed() -> None:
    from specwire.model import DeepSeekChatModel

    endpoint = DeepSeekChatModel.binding.endpoint
    dialect = OpenAIChatDialect(endpoint, {}, "deepseek")
    assert dialect.options.reasoning_fields == ("reasoning_content",)
    assert dialect.options.send_reasoning == "tool_turns"


class EchoOptions(DialectOptions):
    """Options of a dialect registered by a test."""

    shout: bool = False
    """Upper-case everything."""


class EchoDialect(Dialect):
    """A dialect of its own family's base, registered at run time."""

    name = "echo_chat"
    family = "chat"
    Options = EchoOptions
    places = frozenset({"volume"})
    model_base = "specwire._core.spec_chat_model:SpecChatModel"


@pytest.fixture
def echo_registered() -> Iterator[None]:
    register_dialect("echo_chat", f"{__name__}:EchoDialect")
    contract.dialects.cache_clear()
    try:
        yield
    finally:
        DIALECTS.pop("echo_chat")
        contract.dialects.cache_clear()


def test_a_registered_dialect_is_checked_like_the_built_in_ones(
    tmp_path: Path, echo_registered: None
) -> None:
    data = _spec("deepseek")
    endpoint = data["models"][0]["endpoint"]
    endpoint.update(dialect="echo_chat", options={"shout": True})
    data["models"][0]["parameters"]["properties"] = {"volume": {"type": "integer", "x-wire": None}}
    _load(tmp_path, "deepseek", data)
    endpoint["options"] = {"shout": "LOUD"}
    with pytest.raises(SpecError, match=r"options.shout: expected a valid boolean"):
        _load(tmp_path, "deepseek", data)
    assert load_dialect("echo_chat", Dialect) is EchoDialect


def test_registering_refuses_a_clash_or_a_malformed_target() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_dialect("openai_chat", "somewhere:Else")
    with pytest.raises(ValueError, match="module:Class"):
        register_dialect("nameless", "no_colon")
    with pytest.raises(ValueError, match="is not a ChatDialect"):
        from specwire._core.dialect import ChatDialect

        load_dialect("openai_embeddings", ChatDialect)


def test_the_dialect_reference_is_current() -> None:
    # docs/dialects.md is generated: python -m codegen --dialect-docs docs/dialects.md
    assert (ROOT / "docs" / "dialects.md").read_text() == contract.dialects_markdown()
