"""Parameter schemas for forms: a ``Parameters`` class's JSON Schema made flat and
``$ref``-free, and a card's ``parameter_overrides`` merged into it field by field.

Form-friendly shape (the choice, and why):

* ``$ref``s are inlined and ``$defs`` dropped, so a form library renders the schema
  without a resolver.
* pydantic writes ``x: float | None = None`` as ``anyOf: [{type: number, ...}, {type:
  null}]`` with ``default: null``. ``None`` in a ``Parameters`` field means "not sent: the
  provider's default applies", which in a form is simply an empty field. So the null
  branch is dropped, the remaining branch is hoisted into the field (``type``, range,
  ``enum`` sit directly on it) and ``default: null`` is dropped. An instance of the schema
  is therefore ``params.model_dump(mode="json", exclude_none=True)``.
* ``{hidden: true}`` stays on the field as ``"hidden": true`` (an annotation JSON Schema
  validators ignore): the field is still valid in code, forms skip it.
* ``null`` removes the field from ``properties``; the call-time check refuses it.
* A TTS card's ``voices`` become the ``voice`` enum; when the ``Parameters`` default
  voice is not among them the card's first voice is the default (a default the card
  sets itself must be listed).

Overrides may only narrow what the API accepts: a bound looser than the API-wide one, an
enum value the ``Parameters`` class would refuse, a changed ``type``, or a default outside
the merged range is an :class:`OverrideError` naming the field and keyword.
"""

from __future__ import annotations

import copy
import math
import operator
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

HIDDEN = "hidden"

# Keywords an override may set: annotations, narrowing validation keywords, and "x-"
# extensions. Anything else is most likely a typo ("maxium") and is refused.
_ANNOTATIONS = {"title", "description", "default", "examples", "deprecated", "readOnly"}
_NARROWING = {
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "enum",
    "const",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "items",
}
# "type" is allowed only to restate the field's type (a clearer error than "unknown").
ALLOWED_OVERRIDE_KEYS = frozenset(_ANNOTATIONS | _NARROWING | {HIDDEN, "type"})

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")


class OverrideError(ValueError):
    """An override that cannot be merged; ``field`` is its dotted path in the card."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# ----------------------------------------------------------------- flattening
def parameters_base_schema(parameters_cls: type[BaseModel] | None) -> dict[str, Any]:
    """The flat, ``$ref``-free JSON Schema of a ``Parameters`` class."""
    if parameters_cls is None:
        return {"type": "object", "properties": {}}
    return flatten_schema(parameters_cls.model_json_schema())


def flatten_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Inline ``$ref``s, drop ``$defs``, and hoist Optional fields (see module docs)."""
    defs = dict(schema.get("$defs") or {})
    inlined: dict[str, Any] = _inline_refs(
        {k: v for k, v in schema.items() if k != "$defs"}, defs, ()
    )
    properties = inlined.get("properties") or {}
    inlined["properties"] = {name: _hoist_optional(prop) for name, prop in properties.items()}
    inlined.setdefault("type", "object")
    return inlined


def _inline_refs(node: Any, defs: Mapping[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, defs, seen) for item in node]
    if not isinstance(node, Mapping):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if not ref.startswith("#/$defs/") or name not in defs:
            raise ValueError(f"cannot inline $ref {ref!r}: only local #/$defs/ refs are supported")
        if name in seen:
            raise ValueError(f"recursive $ref {ref!r} cannot be flattened for a form")
        target = _inline_refs(defs[name], defs, (*seen, name))
        siblings = {k: _inline_refs(v, defs, seen) for k, v in node.items() if k != "$ref"}
        return {**target, **siblings}
    return {k: _inline_refs(v, defs, seen) for k, v in node.items()}


def _hoist_optional(prop: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(prop)
    # pydantic < 2.9 wraps a single $ref with siblings in allOf
    all_of = out.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
        out.pop("allOf")
        out = {**all_of[0], **out}
    any_of = out.get("anyOf")
    if isinstance(any_of, list):
        branches = [b for b in any_of if not (isinstance(b, Mapping) and b.get("type") == "null")]
        if len(branches) != len(any_of):
            out.pop("anyOf")
            if len(branches) == 1 and isinstance(branches[0], Mapping):
                out = {**branches[0], **out}
            else:
                out["anyOf"] = branches
    if "default" in out and out["default"] is None:
        del out["default"]
    return out


# -------------------------------------------------------------------- merging
def merge_overrides(
    base: Mapping[str, Any],
    overrides: Mapping[str, Mapping[str, Any] | None],
    voices: list[str] | None = None,
    *,
    adapt: bool = False,
) -> dict[str, Any]:
    """``base`` with ``overrides`` merged field by field, and ``voices`` as the ``voice``
    enum. Pure and idempotent: merging the result again changes nothing. ``null`` for a
    field the schema lacks is a no-op; :func:`check_override_names` catches unknown names.

    ``adapt``: instead of refusing an override that is looser than ``base`` (a bound, an
    enum value, a default outside the range), fit it to ``base``: the tighter bound wins,
    the enum is intersected, an unfitting default is dropped. This is for a card folder
    shared by classes whose APIs differ (OpenAI chat completions and responses); codegen
    checks such a card is strictly valid for at least one of them.
    """
    schema = copy.deepcopy(dict(base))
    properties: dict[str, Any] = schema.setdefault("properties", {})
    if voices:
        _inject_voices(properties, overrides, list(voices), adapt)
    for name, override in overrides.items():
        where = f"parameter_overrides.{name}"
        if override is None:
            properties.pop(name, None)
            if name in schema.get("required", []):
                raise OverrideError(where, "a required parameter cannot be removed")
            continue
        if not isinstance(override, Mapping):
            raise OverrideError(where, f"expected a mapping or null, got {type(override).__name__}")
        if name not in properties:
            raise OverrideError(where, "no such parameter to merge into")
        properties[name] = _merge_field(where, properties[name], override, adapt)
    if voices and "voice" in properties:  # after the overrides, which may set the default
        _settle_voice_default(properties["voice"])
    return schema


def _settle_voice_default(voice: dict[str, Any]) -> None:
    """The ``voice`` default is one of the card's voices: a ``Parameters`` default the
    card does not list gives way to its first voice. (The reference's custom TTS model
    declares ``voice = "default"``; its cards list real voices. A default the card sets
    itself was checked in ``_inject_voices``.)"""
    default = voice.get("default")
    enum: list[Any] = voice["enum"]
    if default is not None and default not in enum:
        voice["default"] = enum[0]


def _inject_voices(
    properties: dict[str, Any],
    overrides: Mapping[str, Mapping[str, Any] | None],
    voices: list[str],
    adapt: bool,
) -> None:
    voice = properties.get("voice")
    if voice is None:
        if "voice" not in overrides:
            raise OverrideError(
                "voices", "the card lists voices but the parameters have no 'voice' field"
            )
        return
    voice_override = overrides.get("voice") or {}
    if "enum" in voice_override and set(voice_override["enum"]) != set(voices):
        raise OverrideError("parameter_overrides.voice.enum", "differs from the card's voices list")
    own_default = voice_override.get("default")
    if own_default is not None and own_default not in voices and not adapt:
        raise OverrideError(
            "parameter_overrides.voice.default",
            f"{own_default!r} is not one of the card's voices {voices}; list it in voices "
            f"or leave the default out (the first voice, {voices[0]!r}, is then the default)",
        )
    voice["enum"] = _narrow_enum("voices", voice, voices, adapt)


def _merge_field(
    where: str, base: Mapping[str, Any], override: Mapping[str, Any], adapt: bool
) -> dict[str, Any]:
    unknown = sorted(
        k for k in override if k not in ALLOWED_OVERRIDE_KEYS and not k.startswith("x-")
    )
    if unknown:
        raise OverrideError(
            f"{where}.{unknown[0]}",
            f"not a keyword an override may set (allowed: {', '.join(sorted(ALLOWED_OVERRIDE_KEYS))}, x-*)",
        )
    if HIDDEN in override and not isinstance(override[HIDDEN], bool):
        raise OverrideError(f"{where}.{HIDDEN}", "expected true or false")
    if "type" in override and override["type"] != base.get("type"):
        raise OverrideError(f"{where}.type", "an override cannot change a parameter's type")
    merged = {**base, **copy.deepcopy(dict(override))}
    for key in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
        old, new = base.get(key), override.get(key)
        if old is None or new is None:
            continue
        if not _is_number(new):
            raise OverrideError(f"{where}.{key}", f"expected a number, got {new!r}")
        lower = key in _LOWER_BOUNDS
        if (lower and new < old) or (not lower and new > old):
            if not adapt:
                side = "below" if lower else "above"
                raise OverrideError(f"{where}.{key}", f"{new} is {side} the API-wide {key} {old}")
            merged[key] = old
    if "enum" in override:
        if not isinstance(override["enum"], list) or not override["enum"]:
            raise OverrideError(f"{where}.enum", "expected a non-empty list")
        merged["enum"] = _narrow_enum(f"{where}.enum", base, override["enum"], adapt)
    _check_range(where, merged)
    _check_default(where, merged, adapt)
    return merged


def _narrow_enum(where: str, base: Mapping[str, Any], values: list[Any], adapt: bool) -> list[Any]:
    """``values`` if the API-wide field accepts them all; adapted: those it accepts."""
    allowed = base.get("enum")
    if allowed is not None:
        extra = [v for v in values if v not in allowed]
        if extra and not adapt:
            raise OverrideError(where, f"{extra} not accepted by the API-wide enum {list(allowed)}")
        values = [v for v in values if v in allowed]
        if not values:
            raise OverrideError(where, f"no value is accepted by the API-wide enum {list(allowed)}")
    bare = {k: v for k, v in base.items() if k not in ("enum", "default")}
    for value in values:
        problem = value_problem(value, bare)
        if problem:
            raise OverrideError(where, f"enum value {value!r}: {problem}")
    return values


def _check_range(where: str, prop: Mapping[str, Any]) -> None:
    low = max(
        (prop[k] for k in ("minimum", "exclusiveMinimum") if _is_number(prop.get(k))),
        default=None,
    )
    high = min(
        (prop[k] for k in ("maximum", "exclusiveMaximum") if _is_number(prop.get(k))),
        default=None,
    )
    if low is not None and high is not None and low > high:
        raise OverrideError(where, f"empty range: lower bound {low} above upper bound {high}")


def _check_default(where: str, prop: dict[str, Any], adapt: bool = False) -> None:
    if "default" not in prop or prop["default"] is None:
        return
    problem = value_problem(prop["default"], prop)
    if problem and adapt:
        del prop["default"]  # the provider's own default applies
    elif problem:
        raise OverrideError(f"{where}.default", f"{prop['default']!r} {problem}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (dict,),
}


def value_problem(value: Any, prop: Mapping[str, Any]) -> str | None:
    """Why ``value`` breaks the keywords of ``prop`` that overrides can set, or None.
    (A small checker so that loading custom cards needs no JSON Schema library.)"""
    kind = prop.get("type")
    if isinstance(kind, str) and kind in _JSON_TYPES:
        ok = isinstance(value, _JSON_TYPES[kind]) and not (
            kind in ("integer", "number") and isinstance(value, bool)
        )
        if kind == "integer" and isinstance(value, float) and value.is_integer():
            ok = True
        if not ok:
            return f"is not of type {kind}"
    if "enum" in prop and value not in prop["enum"]:
        return f"is not one of {list(prop['enum'])}"
    if "const" in prop and value != prop["const"]:
        return f"is not {prop['const']!r}"
    if _is_number(value):
        checks = (
            ("minimum", operator.lt, "is below the minimum"),
            ("exclusiveMinimum", operator.le, "is not above the exclusive minimum"),
            ("maximum", operator.gt, "is above the maximum"),
            ("exclusiveMaximum", operator.ge, "is not below the exclusive maximum"),
        )
        for key, fails, text in checks:
            bound = prop.get(key)
            if bound is not None and _is_number(bound) and fails(value, bound):
                return f"{text} {bound} (outside the range)"
        step = prop.get("multipleOf")
        if _is_number(step) and step and not math.isclose(value / step, round(value / step)):
            return f"is not a multiple of {step}"
    if isinstance(value, str):
        if _is_number(prop.get("minLength")) and len(value) < prop["minLength"]:
            return f"is shorter than {prop['minLength']}"
        if _is_number(prop.get("maxLength")) and len(value) > prop["maxLength"]:
            return f"is longer than {prop['maxLength']}"
    if isinstance(value, list | tuple):
        if _is_number(prop.get("minItems")) and len(value) < prop["minItems"]:
            return f"has fewer than {prop['minItems']} items"
        if _is_number(prop.get("maxItems")) and len(value) > prop["maxItems"]:
            return f"has more than {prop['maxItems']} items"
    return None


# ---------------------------------------------------------------- validation
def check_override_names(
    overrides: Mapping[str, Any], parameter_names: set[str] | frozenset[str], owner: str
) -> None:
    """Every override names a parameter ``owner`` (e.g. ``"X.Parameters"``) has."""
    for name in overrides:
        if name not in parameter_names:
            known = ", ".join(sorted(parameter_names)) or "none"
            raise OverrideError(
                f"parameter_overrides.{name}",
                f"{owner} has no parameter {name!r} (it has: {known})",
            )


def check_json_schema(schema: Mapping[str, Any]) -> None:
    """Validate ``schema`` against the Draft 2020-12 metaschema when ``jsonschema`` is
    installed (always in codegen and tests; optional at run time)."""
    try:
        import jsonschema
    except ImportError:  # a runtime install without the dev extras
        return
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        path = ".".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise OverrideError(
            f"parameter_schema.{path}", f"not valid JSON Schema: {exc.message}"
        ) from exc


def visible_fields(schema: Mapping[str, Any]) -> list[str]:
    """The fields a form shows: present and not hidden."""
    properties: Mapping[str, Any] = schema.get("properties") or {}
    return [name for name, prop in properties.items() if not prop.get(HIDDEN)]
