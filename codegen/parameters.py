"""``Parameters`` classes: a model family's parameter JSON Schema (from its spec) turned
into a pydantic model by datamodel-code-generator, ranges kept as field constraints."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .spec_model import Model

_OPTIONS = [
    "--input-file-type",
    "jsonschema",
    "--output-model-type",
    "pydantic_v2.BaseModel",
    "--field-constraints",
    "--disable-timestamp",
    "--use-annotated",
    "--target-python-version",
    "3.11",
    "--use-union-operator",
    "--use-standard-collections",
    "--enum-field-as-literal",
    "all",
    "--use-default",
    "--formatters",
    "builtin",
]


def parameters_schema(class_name: str, model: Model) -> dict[str, Any]:
    """The JSON Schema of the family's parameters, without the x-wire extensions."""
    properties: dict[str, Any] = {}
    for name, prop in sorted(model.parameters.properties.items()):
        data = prop.model_dump(by_alias=True, exclude_none=True, mode="json")
        properties[name] = {k: v for k, v in data.items() if not k.startswith("x-")}
    schema: dict[str, Any] = {
        "title": class_name,
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    if model.parameters.required:
        schema["required"] = sorted(model.parameters.required)
    return schema


def parameters_class(class_name: str, model: Model) -> str:
    """Python source of the ``Parameters`` class (no imports; the template has them)."""
    return _generated_class(
        class_name, json.dumps(parameters_schema(class_name, model), sort_keys=True)
    )


@functools.cache
def _generated_class(class_name: str, schema: str) -> str:
    """datamodel-codegen's class for one schema, once per process: a process that
    regenerates several times (the tests) pays for each schema once."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{class_name}.json"
        src.write_text(schema)
        cmd = [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            "--input",
            str(src),
            "--class-name",
            class_name,
            *_OPTIONS,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"datamodel-codegen failed for {class_name}: {done.stderr}")
    code = done.stdout
    start = code.index(f"class {class_name}(")
    return code[start:].strip()
