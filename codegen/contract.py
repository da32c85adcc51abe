"""Specs checked against the dialects that read them.

The registry (``specwire._dialects``) knows every dialect class, and each declares its
family, its ``Options`` model and the parameters it places itself. A spec that names an
unknown dialect, a dialect of another family, an option the dialect does not read (or a
value of the wrong type), or an ``x-wire: null`` parameter the dialect does not place is
refused here, with the file, the path inside it and what was expected.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from specwire._core.contract import FAMILIES, Dialect, DialectOptions
from specwire._dialects import all_dialects

from .spec_model import Endpoint, Model, ProviderSpec


class ContractError(Exception):
    """The registry itself is inconsistent."""


@cache
def dialects() -> dict[str, type[Dialect]]:
    """Every registered dialect class by name, imported once per process."""
    found = all_dialects()
    for name, cls in found.items():
        if getattr(cls, "name", None) != name:
            raise ContractError(f"dialect registered as {name!r} names itself {cls.name!r}")
    return found


def _family_names(family: str) -> list[str]:
    return sorted(n for n, c in dialects().items() if c.family == family)


def _dialect_problem(where: str, endpoint: Endpoint, family: str) -> str | None:
    cls = dialects().get(endpoint.dialect)
    expected = f"expected one of the {family} dialects {_family_names(family)}"
    if cls is None:
        return f"{where}.dialect: {expected}, got unknown dialect {endpoint.dialect!r}"
    if cls.family != family:
        return f"{where}.dialect: {expected}, got {endpoint.dialect!r}, a {cls.family} dialect"
    return None


def _option_problem(error: dict[str, Any], cls: type[Dialect]) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        if len(error["loc"]) == 1:
            known = sorted(f.alias or n for n, f in cls.Options.model_fields.items())
            return f"{loc}: unknown option of dialect {cls.name!r}; it reads {known}"
        return f"{loc}: unknown field"
    if error["type"] == "missing":
        return f"{loc}: expected field (missing)"
    expected = str(error["msg"]).removeprefix("Input should be ")
    return f"{loc}: expected {expected}, got {error['input']!r}"


def endpoint_problems(i: int, where: str, endpoint: Endpoint, model: Model) -> list[str]:
    """What is wrong with one endpoint of ``models[i]`` (``where`` is its path inside
    the spec), each as ``path: what was expected``."""
    problem = _dialect_problem(where, endpoint, model.family.value)
    if problem is not None:
        return [problem]
    cls = dialects()[endpoint.dialect]
    problems: list[str] = []
    try:
        cls.Options.model_validate(endpoint.options or {})
    except ValidationError as exc:
        problems += [f"{where}.options.{_option_problem(dict(e), cls)}" for e in exc.errors()]
    places = sorted(cls.places) or "no parameter"
    for pname, prop in sorted(model.parameters.properties.items()):
        at = f"models[{i}].parameters.properties.{pname}.x-wire"
        null_wire = "x_wire" in prop.model_fields_set and prop.x_wire is None
        if null_wire and pname not in cls.places:
            problems.append(
                f"{at}: expected a body field path: dialect {cls.name!r} ({where}) does not "
                f"place {pname!r} itself (it places {places})"
            )
        elif pname in cls.places and not null_wire:
            problems.append(
                f"{at}: expected null: dialect {cls.name!r} ({where}) places {pname!r} itself"
            )
    return problems


def check_spec(path: Path, spec: ProviderSpec) -> list[str]:
    """Every disagreement between ``spec`` and the dialects it names, each line naming
    the file and the path inside it."""
    problems: list[str] = []
    for i, model in enumerate(spec.models):
        endpoints = [(f"models[{i}].endpoint", model.endpoint)]
        endpoints += [
            (f"models[{i}].variants[{k}].endpoint", v.endpoint)
            for k, v in enumerate(model.variants or [])
        ]
        for where, endpoint in endpoints:
            problems += [f"{path}: {p}" for p in endpoint_problems(i, where, endpoint, model)]
    from .batch_check import check_batches

    return problems + check_batches(path, spec)


def model_base(model: Model) -> tuple[str, str]:
    """``(module, class)`` of the engine the generated class derives from: the one the
    main endpoint's dialect names."""
    module, _, name = dialects()[model.endpoint.dialect].model_base.partition(":")
    return module, name


def _type_name(annotation: Any) -> str:
    text = getattr(annotation, "__name__", None) if isinstance(annotation, type) else None
    return text or re.sub(r"\b(?:\w+\.)+(\w+)", r"\1", str(annotation))


def _default(value: Any) -> str:
    if isinstance(value, DialectOptions):
        return "see below" if type(value).model_fields else "{}"
    return "`" + json.dumps(value if not isinstance(value, tuple) else list(value)) + "`"


def _options_rows(options: type[DialectOptions], prefix: str = "") -> list[str]:
    rows: list[str] = []
    nested: list[tuple[str, type[DialectOptions]]] = []
    for name, info in options.model_fields.items():
        key = prefix + (info.alias or name)
        doc = " ".join((info.description or "").split()).replace("``", "`")
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, DialectOptions):
            nested.append((key + ".", kind))
            doc = doc or (kind.__doc__ or "").strip()
        kind_text = _type_name(kind).replace("|", "\\|")
        rows.append(f"| `{key}` | {kind_text} | {_default(info.default)} | {doc} |")
    for sub_prefix, sub in nested:
        rows += _options_rows(sub, sub_prefix)
    return rows


def _paths(paths: tuple[str, ...]) -> str:
    return ", ".join(f"`{p}`" for p in paths) or "-"


def dialects_markdown() -> str:
    """``docs/dialects.md``: every registered dialect, what a spec may say to it."""
    lines = [
        "# Dialects and their spec options",
        "",
        "Generated from the dialect registry (`specwire._dialects`) by",
        "`python -m codegen --dialect-docs docs/dialects.md`; a test keeps it current.",
        "Regeneration refuses a spec whose `endpoint.options` name an option not listed",
        "here, or give one a value of the wrong type; whose `x-wire: null` parameters are",
        "not among those the dialect places; or whose dialect serves another family.",
        "",
        "Every dialect also reads `endpoint.errors` (see the README): paths replacing its",
        "default error-body paths below, and `classes` mapping provider codes or types to",
        "error classes.",
    ]
    for family in FAMILIES:
        lines += ["", f"## {family}"]
        for name, cls in sorted(dialects().items()):
            if cls.family != family:
                continue
            errors = cls.error_format
            lines += [
                "",
                f"### `{name}`",
                "",
                " ".join((cls.__doc__ or "").split()).replace("``", "`"),
                "",
                f"- engine (generated classes derive from it): `{cls.model_base}`",
                f"- places itself (`x-wire: null`): {', '.join(f'`{p}`' for p in sorted(cls.places)) or 'nothing'}",
                f"- unknown call keywords go to: `{'.'.join(cls.extra_location) or '(top level)'}`",
                f"- error bodies: message {_paths(errors.message)}; type {_paths(errors.type)}; "
                f"code {_paths(errors.code)}; status {_paths(errors.status)}",
                "",
            ]
            rows = _options_rows(cls.Options)
            if rows:
                lines += ["| option | type | default | meaning |", "|---|---|---|---|", *rows]
            else:
                lines.append("No options.")
    return "\n".join(lines) + "\n"
