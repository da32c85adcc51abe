"""Schema flattening and override merging: the rules a card's parameter form follows."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

import jsonschema
import pytest
from pydantic import BaseModel, ConfigDict, Field

from specwire._cards.schema import (
    OverrideError,
    flatten_schema,
    merge_overrides,
    parameters_base_schema,
    visible_fields,
)


class Effort(StrEnum):
    LOW = "low"
    HIGH = "high"


class Inner(BaseModel):
    budget: int = 0


class ChatParams(BaseModel):
    model_config = ConfigDict(extra="forbid")  # as generated Parameters are

    temperature: float | None = Field(default=None, ge=0, le=2, title="Temperature")
    max_tokens: int | None = Field(default=None, gt=0)
    thinking_enable: bool | None = None
    effort: Literal["minimal", "low", "medium", "high"] | None = None
    stop: list[str] | None = Field(default=None, max_length=4)
    top_k: int = Field(default=40, ge=1, le=100)


class VoiceParams(BaseModel):
    voice: str | None = None
    speed: float = Field(default=1.0, ge=0.5, le=2.0)


BASE = parameters_base_schema(ChatParams)


def test_optional_fields_are_hoisted_out_of_anyof_and_null_defaults_dropped() -> None:
    temperature = BASE["properties"]["temperature"]
    assert temperature == {"type": "number", "minimum": 0, "maximum": 2, "title": "Temperature"}
    assert BASE["properties"]["effort"]["enum"] == ["minimal", "low", "medium", "high"]
    assert BASE["properties"]["stop"]["maxItems"] == 4
    assert BASE["properties"]["top_k"]["default"] == 40  # a real default stays
    assert "anyOf" not in str(BASE) and "$ref" not in str(BASE)


def test_refs_are_inlined_and_defs_dropped() -> None:
    class WithRefs(BaseModel):
        effort: Effort | None = None
        inner: Inner | None = None

    schema = parameters_base_schema(WithRefs)
    assert "$defs" not in schema and "$ref" not in str(schema)
    assert schema["properties"]["effort"]["enum"] == ["low", "high"]
    assert schema["properties"]["inner"]["properties"]["budget"]["type"] == "integer"


def test_recursive_refs_are_refused() -> None:
    schema = {
        "$defs": {"N": {"properties": {"next": {"$ref": "#/$defs/N"}}}},
        "properties": {"n": {"$ref": "#/$defs/N"}},
    }
    with pytest.raises(ValueError, match="recursive"):
        flatten_schema(schema)


def test_mapping_shallow_merges_into_the_field() -> None:
    merged = merge_overrides(BASE, {"max_tokens": {"maximum": 8192, "description": "cap"}})
    field = merged["properties"]["max_tokens"]
    assert field == {
        "type": "integer",
        "exclusiveMinimum": 0,
        "title": "Max Tokens",
        "maximum": 8192,
        "description": "cap",
    }
    assert merged["properties"]["temperature"] == BASE["properties"]["temperature"]


def test_hidden_keeps_the_field_but_marks_it() -> None:
    merged = merge_overrides(BASE, {"temperature": {"hidden": True}})
    assert merged["properties"]["temperature"]["hidden"] is True
    assert "temperature" not in visible_fields(merged)
    jsonschema.validate({"temperature": 0.5}, merged)  # still valid in code


def test_null_removes_the_field() -> None:
    merged = merge_overrides(BASE, {"effort": None})
    assert "effort" not in merged["properties"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"effort": "low"}, merged)


def test_merging_leaves_the_base_untouched() -> None:
    before = repr(BASE)
    merge_overrides(BASE, {"temperature": {"maximum": 1}, "effort": None})
    assert repr(BASE) == before


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"temperature": {"maximum": 3}}, "temperature.maximum", "above the API-wide maximum 2"),
        ({"temperature": {"minimum": -1}}, "temperature.minimum", "below the API-wide minimum 0"),
        (
            {"max_tokens": {"exclusiveMinimum": -5}},
            "max_tokens.exclusiveMinimum",
            "below the API-wide",
        ),
        ({"stop": {"maxItems": 10}}, "stop.maxItems", "above the API-wide maxItems 4"),
        (
            {"temperature": {"maximum": 1, "default": 1.5}},
            "temperature.default",
            "outside the range",
        ),
        ({"top_k": {"maximum": 20}}, "top_k.default", "40 is above the maximum 20"),
        ({"temperature": {"minimum": 1.5, "maximum": 1}}, "temperature", "empty range"),
        ({"effort": {"enum": ["low", "xhigh"]}}, "effort.enum", "['xhigh'] not accepted"),
        ({"effort": {"enum": []}}, "effort.enum", "non-empty"),
        ({"effort": {"enum": ["low"], "default": "high"}}, "effort.default", "not one of ['low']"),
        ({"temperature": {"maxium": 1}}, "temperature.maxium", "not a keyword"),
        ({"temperature": {"type": "string"}}, "temperature.type", "cannot change"),
        ({"temperature": {"hidden": "yes"}}, "temperature.hidden", "true or false"),
        ({"temperature": 5}, "temperature", "expected a mapping or null"),
        ({"nonexistent": {"maximum": 1}}, "nonexistent", "no such parameter"),
    ],
)
def test_overrides_may_only_narrow(override: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(OverrideError) as info:
        merge_overrides(BASE, override)
    assert info.value.field == f"parameter_overrides.{field}"
    assert message in info.value.message


def test_a_required_field_cannot_be_removed() -> None:
    schema = {"type": "object", "properties": {"voice": {"type": "string"}}, "required": ["voice"]}
    with pytest.raises(OverrideError, match="required"):
        merge_overrides(schema, {"voice": None})


def test_adapt_fits_a_looser_override_to_the_class_instead_of_failing() -> None:
    merged = merge_overrides(
        BASE,
        {
            "effort": {"enum": ["none", "low", "high"], "default": "none"},
            "temperature": {"maximum": 5},
        },
        adapt=True,
    )
    assert merged["properties"]["effort"]["enum"] == ["low", "high"]
    assert "default" not in merged["properties"]["effort"]  # 'none' does not fit: provider default
    assert merged["properties"]["temperature"]["maximum"] == 2
    with pytest.raises(OverrideError, match="no value is accepted"):
        merge_overrides(BASE, {"effort": {"enum": ["xhigh"]}}, adapt=True)


def test_voices_become_the_voice_enum() -> None:
    base = parameters_base_schema(VoiceParams)
    merged = merge_overrides(base, {"voice": {"default": "Cherry"}}, voices=["Cherry", "Ethan"])
    assert merged["properties"]["voice"] == {
        "type": "string",
        "title": "Voice",
        "enum": ["Cherry", "Ethan"],
        "default": "Cherry",
    }
    with pytest.raises(OverrideError, match=r"voice\.default: 'Nobody' is not one of"):
        merge_overrides(base, {"voice": {"default": "Nobody"}}, voices=["Cherry"])
    with pytest.raises(OverrideError, match="differs from the card's voices"):
        merge_overrides(base, {"voice": {"enum": ["Cherry"]}}, voices=["Cherry", "Ethan"])
    assert "voice" not in merge_overrides(base, {"voice": None}, voices=["zhichu"])["properties"]


def test_voices_without_a_voice_parameter_are_an_error() -> None:
    with pytest.raises(OverrideError, match="no 'voice' field"):
        merge_overrides(BASE, {}, voices=["Cherry"])


def test_merged_schemas_are_valid_draft_2020_12() -> None:
    merged = merge_overrides(
        BASE,
        {"temperature": {"maximum": 1, "hidden": True}, "effort": None, "top_k": {"maximum": 50}},
    )
    jsonschema.Draft202012Validator.check_schema(merged)
    jsonschema.validate(ChatParams().model_dump(mode="json", exclude_none=True), merged)
