"""Properties of override merging over generated Parameters classes and override sets."""

from __future__ import annotations

import copy
from typing import Any, Literal

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, create_model

from specwire._cards.schema import OverrideError, merge_overrides, parameters_base_schema

WORDS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"]


@st.composite
def numeric_field(draw: st.DrawFn, integer: bool) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """A numeric field (annotation, Field kwargs) and its facts for building overrides."""
    number = (
        st.integers(-1000, 1000)
        if integer
        else st.floats(-100, 100, allow_nan=False).map(lambda x: round(x, 2))
    )
    low, high = sorted((draw(number), draw(number)))
    bounds: dict[str, Any] = {}
    if draw(st.booleans()):
        bounds["ge"] = low
    if draw(st.booleans()):
        bounds["le"] = high
    default = draw(st.sampled_from([None, low, high]))
    kind = int if integer else float
    return kind | None, {"default": default, **bounds}, {"kind": "number", "low": low, "high": high}


@st.composite
def enum_field(draw: st.DrawFn) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    values = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5, unique=True))
    default = draw(st.one_of(st.none(), st.sampled_from(values)))
    return Literal[tuple(values)] | None, {"default": default}, {"kind": "enum", "values": values}  # type: ignore[misc]


def _simple(annotation: Any) -> st.SearchStrategy[tuple[Any, dict[str, Any], dict[str, Any]]]:
    return st.just((annotation, {"default": None}, {"kind": "other"}))


# Weighted towards bounded fields: narrowing them is where merging can go wrong.
FIELD = st.one_of(
    numeric_field(integer=True),
    numeric_field(integer=True),
    numeric_field(integer=False),
    numeric_field(integer=False),
    enum_field(),
    enum_field(),
    _simple(bool | None),
    _simple(str | None),
    st.integers(1, 8).map(
        lambda n: (list[str] | None, {"default": None, "max_length": n}, {"kind": "other"})
    ),
)


@st.composite
def parameters_and_overrides(draw: st.DrawFn) -> tuple[type[BaseModel], dict[str, Any]]:
    names = draw(
        st.lists(st.from_regex(r"[a-z]{2,8}", fullmatch=True), min_size=1, max_size=4, unique=True)
    )
    fields: dict[str, Any] = {}
    facts: dict[str, dict[str, Any]] = {}
    for name in names:
        annotation, kwargs, fact = draw(FIELD)
        fields[name] = (annotation, Field(**kwargs))
        facts[name] = {
            **fact,
            "default": kwargs["default"],
            "ge": kwargs.get("ge"),
            "le": kwargs.get("le"),
        }
    params = create_model("Params", __config__=ConfigDict(extra="forbid"), **fields)
    overrides: dict[str, Any] = {}
    for name in names:
        if draw(st.integers(0, 3)):  # most fields get an override
            overrides[name] = draw(_override(facts[name]))
    return params, overrides


@st.composite
def _override(draw: st.DrawFn, fact: dict[str, Any]) -> dict[str, Any] | None:
    """An override within the API-wide field: remove, hide, annotate, or narrow, with or
    without a default of its own (so a class default may fall outside the new range)."""
    action = draw(st.sampled_from(["remove", "hide", "describe", "narrow", "narrow"]))
    if action == "remove":
        return None
    if action == "hide":
        return {"hidden": True}
    if action == "describe" or fact["kind"] == "other":
        return {"description": draw(st.text(max_size=10))}
    if fact["kind"] == "enum":
        subset = draw(st.lists(st.sampled_from(fact["values"]), min_size=1, unique=True))
        override: dict[str, Any] = {"enum": subset}
        if draw(st.integers(0, 2)) == 0:
            override["default"] = draw(st.sampled_from(subset))
        return override
    low = fact["ge"] if fact["ge"] is not None else fact["low"]
    high = fact["le"] if fact["le"] is not None else fact["high"]
    points = [low, high, (low + high) // 2 if isinstance(low, int) else (low + high) / 2]
    new_low, new_high = sorted((draw(st.sampled_from(points)), draw(st.sampled_from(points))))
    override = {"minimum": new_low, "maximum": new_high}
    if draw(st.integers(0, 2)) == 0:
        override["default"] = draw(st.sampled_from([new_low, new_high]))
    return override


def _effective_defaults(params: type[BaseModel], overrides: dict[str, Any]) -> dict[str, Any]:
    """What Parameters() amounts to for a model with these overrides: removed fields
    dropped, a card default in place of the class default."""
    values = params().model_dump(mode="json", exclude_none=True)
    for name, override in overrides.items():
        if override is None:
            values.pop(name, None)
        elif "default" in override:
            values[name] = override["default"]
    return values


SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(parameters_and_overrides())
def test_merging_is_idempotent(case: tuple[type[BaseModel], dict[str, Any]]) -> None:
    params, overrides = case
    try:
        once = merge_overrides(parameters_base_schema(params), overrides)
    except OverrideError:
        return
    assert merge_overrides(once, overrides) == once


@SETTINGS
@given(parameters_and_overrides())
def test_the_result_validates_the_default_parameters(
    case: tuple[type[BaseModel], dict[str, Any]],
) -> None:
    params, overrides = case
    try:
        merged = merge_overrides(parameters_base_schema(params), overrides)
    except OverrideError as exc:
        # refused only when a class default would fall outside the narrowed field
        assert exc.field.endswith(".default"), exc
        return
    jsonschema.Draft202012Validator.check_schema(merged)
    jsonschema.validate(_effective_defaults(params, overrides), merged)


@SETTINGS
@given(parameters_and_overrides(), st.data())
def test_removal_and_hiding_never_touch_other_fields(
    case: tuple[type[BaseModel], dict[str, Any]], data: st.DataObject
) -> None:
    params, _ = case
    base = parameters_base_schema(params)
    names = list(base["properties"])
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True))
    overrides = {name: data.draw(st.sampled_from([None, {"hidden": True}])) for name in chosen}
    before = copy.deepcopy(base)
    merged = merge_overrides(base, overrides)
    assert base == before
    for name in names:
        if name not in overrides:
            assert merged["properties"][name] == base["properties"][name]
        elif overrides[name] is None:
            assert name not in merged["properties"]
        else:
            assert merged["properties"][name] == {**base["properties"][name], "hidden": True}
    assert {k: v for k, v in merged.items() if k != "properties"} == {
        k: v for k, v in base.items() if k != "properties"
    }
