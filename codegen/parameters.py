"""``Parameters`` classes: a model family's parameter JSON Schema (from its spec) turned
into a pydantic model by datamodel-code-generator, ranges kept as field constraints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
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
    return _datamodel_code(
        class_name, json.dumps(parameters_schema(class_name, model), sort_keys=True)
    )


def prefetch_parameters_classes(classes: Iterable[tuple[str, Model]]) -> None:
    """Run datamodel-codegen for many classes at once (one process each, in parallel):
    it dominates regeneration time, and its results are kept for ``parameters_class``."""
    jobs = [(name, json.dumps(parameters_schema(name, m), sort_keys=True)) for name, m in classes]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        list(pool.map(lambda job: _datamodel_code(*job), jobs))


@cache
def _datamodel_code(class_name: str, schema_json: str) -> str:
    # Cached by the schema text: the same schema always gives the same class, so a
    # process that regenerates twice (the tests) runs the slow tool once per schema.
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{class_name}.json"
        src.write_text(schema_json)
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
