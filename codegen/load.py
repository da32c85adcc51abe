"""Loading provider specs: YAML parsed, checked against the spec JSON Schema (errors name
the file, the path inside it and what was expected), then read into pydantic models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .contract import check_spec
from .spec_model import ProviderSpec


class SpecError(Exception):
    """A spec file that cannot be used, with where and why."""


def load_schema(spec_dir: Path) -> dict[str, Any]:
    """The JSON Schema of a provider spec."""
    schema: dict[str, Any] = json.loads((spec_dir / "schema" / "provider.schema.json").read_text())
    return schema


def _where(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return "".join(parts).lstrip(".") or "(top level)"


def load_spec(path: Path, schema: dict[str, Any]) -> ProviderSpec:
    """Read and validate one provider spec."""
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML: {exc}") from exc
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(
        validator.iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.absolute_path))
    )
    if errors:
        lines = [f"{path}: {_where(e.absolute_path)}: {_expected(e)}" for e in errors[:10]]
        raise SpecError(
            "spec does not match spec/schema/provider.schema.json\n  " + "\n  ".join(lines)
        )
    spec = ProviderSpec.model_validate(data)
    if spec.provider != path.stem:
        raise SpecError(
            f"{path}: provider: expected {path.stem!r} (the file name), got {spec.provider!r}"
        )
    _check_semantics(path, spec)
    problems = check_spec(path, spec)
    if problems:
        raise SpecError(
            "spec does not match the dialects it names (docs/dialects.md)\n  "
            + "\n  ".join(problems[:10])
        )
    return spec


def _expected(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return f"expected field {error.message.split(' ')[0]} (missing)"
    if error.validator == "additionalProperties":
        return f"unexpected field: {error.message}"
    if error.validator == "enum":
        return f"expected one of {error.validator_value}, got {error.instance!r}"
    if error.validator == "type":
        return f"expected {error.validator_value}, got {type(error.instance).__name__} {error.instance!r}"
    if error.validator == "pattern":
        return f"expected a string matching {error.validator_value}, got {error.instance!r}"
    return f"expected {error.validator} {error.validator_value!r}: {error.message}"


def _check_semantics(path: Path, spec: ProviderSpec) -> None:
    """Rules a JSON Schema cannot state."""
    names = [m.class_name.root for m in spec.models]
    if len(set(names)) != len(names):
        raise SpecError(f"{path}: models: class names repeat: {names}")
    for i, model in enumerate(spec.models):
        props = model.parameters.properties
        for name in model.parameters.required or []:
            if name not in props:
                raise SpecError(
                    f"{path}: models[{i}].parameters.required: {name!r} is not a parameter"
                )
        for pname, prop in props.items():
            data = prop.model_dump(by_alias=True, exclude_none=True)
            low, high = data.get("minimum"), data.get("maximum")
            if low is not None and high is not None and low > high:
                raise SpecError(
                    f"{path}: models[{i}].parameters.properties.{pname}: minimum {low} > maximum {high}"
                )
            default = data.get("default")
            numeric = isinstance(default, int | float) and not isinstance(default, bool)
            if numeric and (
                (low is not None and default < low) or (high is not None and default > high)
            ):
                raise SpecError(
                    f"{path}: models[{i}].parameters.properties.{pname}.default: {default} outside [{low}, {high}]"
                )
    fields = {f.name for f in spec.credential.fields}
    auth_field = spec.credential.auth.field
    if spec.credential.auth.placement.value != "none" and auth_field not in fields:
        raise SpecError(
            f"{path}: credential.auth.field: expected one of the credential fields {sorted(fields)}, got {auth_field!r}"
        )


def load_specs(spec_dir: Path) -> list[tuple[Path, ProviderSpec]]:
    """Every provider spec under ``spec_dir/providers``, sorted by file name."""
    schema = load_schema(spec_dir)
    return [(p, load_spec(p, schema)) for p in sorted((spec_dir / "providers").glob("*.yaml"))]
