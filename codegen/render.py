"""Rendering: specs into ``generated/specwire/_generated`` through Jinja templates that
mirror the output tree (StrictUndefined: a missing variable is an error), then ruff so
the output is formatted and deterministic."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import jinja2

from specwire._core.contract import FAMILIES

from .cards import render_cards
from .contract import model_base
from .docstrings import model_docstring, parameters_docstring
from .formatters import formatter_pair, formatter_registry
from .load import SpecError, load_specs
from .parameters import parameters_class, parameters_schema, prefetch_parameters_classes
from .spec_model import Model, ProviderSpec

TEMPLATES = Path(__file__).resolve().parent / "templates"
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
PACKAGE = Path("specwire") / "_generated"


def pyrepr(value: Any) -> str:
    """A Python literal for JSON-like data, keys sorted (deterministic output)."""
    if isinstance(value, dict):
        items = ", ".join(f"{pyrepr(k)}: {pyrepr(v)}" for k, v in sorted(value.items()))
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        inner = ", ".join(pyrepr(v) for v in value)
        return "(" + inner + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def docstring(text: str, indent: str = "    ") -> str:
    """``text`` as the body of a triple-quoted docstring at ``indent``."""
    safe = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = safe.split("\n")
    body = "\n".join([lines[0], *[(indent + line) if line else "" for line in lines[1:]]])
    return body + (f"\n{indent}" if len(lines) > 1 else "")


def _with_docstring(class_code: str, text: str) -> str:
    """A generated ``class X(...):`` source with ``text`` as its docstring."""
    head, _, body = class_code.partition("\n")
    return f'{head}\n    """{docstring(text)}"""\n\n{body}'


def _endpoint(model_endpoint: Any) -> dict[str, Any]:
    ep = model_endpoint.model_dump(mode="json", exclude_none=True)
    stream = ep["stream"]
    return {
        "dialect": ep["dialect"],
        "path": ep["path"],
        "stream_path": stream.get("path"),
        "stream_format": stream["format"],
        "stream_terminator": stream.get("terminator"),
        # only written when off, so every spec that keeps the default renders as before
        **({"stream_end_signal": False} if stream.get("end_signal") is False else {}),
        "headers": ep.get("headers", {}),
        "query": ep.get("query", {}),
        "stream_headers": stream.get("headers", {}),
        "stream_query": stream.get("query", {}),
        "fixed_body": ep.get("fixed_body", {}),
        "options": ep.get("options", {}),
        "errors": {
            key: [value] if isinstance(value, str) else value
            for key, value in ep.get("errors", {}).items()
        },
    }


def _wire_params(model: Model) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, prop in sorted(model.parameters.properties.items()):
        data = prop.model_dump(by_alias=True)
        if "x_wire" not in prop.model_fields_set and prop.x_wire_values is None:
            continue
        path = data.get("x-wire")
        out[name] = {
            "path": tuple(path.split(".")) if path else (),
            "values": data.get("x-wire-values"),
        }
    return out


def _model_context(spec: ProviderSpec, model: Model) -> dict[str, Any]:
    family = model.family.value
    base_module, base_name = model_base(model)
    retry = model.retry.model_dump(mode="json") if model.retry else {}
    limits = model.batch_limits.model_dump(exclude_none=True) if model.batch_limits else {}
    class_name = model.class_name.root
    params_class = f"{class_name}Parameters"
    properties = parameters_schema(params_class, model)["properties"]
    endpoint = _endpoint(model.endpoint)
    return {
        "class_name": model.class_name.root,
        "type": model.type,
        "family": family,
        "description": model.description or f"{spec.label} {family} model.",
        "base_module": base_module,
        "base_name": base_name,
        "doc": model_docstring(spec, model, endpoint, properties),
        "params_class": params_class,
        "params_code": _with_docstring(
            parameters_class(params_class, model),
            parameters_docstring(class_name, properties),
        ),
        "endpoint": endpoint,
        "variants": [(v.base_url_suffix, _endpoint(v.endpoint)) for v in model.variants or []],
        "wire_params": _wire_params(model),
        "retry_statuses": sorted(retry.get("statuses") or []),
        "retry_codes": sorted(retry.get("codes") or []),
        "batch_limits": limits,
        "rate_limits": model.rate_limits.model_dump(exclude_none=True) if model.rate_limits else {},
        "batch": _batch(model),
        "cards": model.cards,
        "formatter": formatter_pair(model),
    }


def _batch(model: Model) -> dict[str, Any] | None:
    """The model family's batch API as ``BatchBinding`` keyword arguments (None: none)."""
    if model.batch is None:
        return None
    data = model.batch.model_dump(mode="json", exclude_none=True, by_alias=True)
    return {
        "format": data["format"],
        "input": data["input"],
        "paths": data["paths"],
        "states": data["states"],
        "line_url": data.get("line_url"),
        "base_path": data.get("base_path", {}),
        "limits": data.get("limits", {}),
        "options": data.get("options", {}),
    }


def _provider_context(path: Path, spec: ProviderSpec) -> dict[str, Any]:
    cred = spec.credential
    models = [_model_context(spec, m) for m in spec.models]
    by_family: dict[str, list[str]] = {family: [] for family in FAMILIES}
    primary: dict[str, str] = {}
    for model, ctx in zip(spec.models, models, strict=True):
        by_family[ctx["family"]].append(ctx["class_name"])
        if model.primary and ctx["family"] not in primary:
            primary[ctx["family"]] = ctx["class_name"]
    for family, names in by_family.items():
        if names and family not in primary:
            primary[family] = names[0]
    env: dict[str, tuple[str, ...]] = {f.name: tuple(f.env) for f in cred.fields if f.env}
    base_field = cred.base_url_field or "base_url"
    if cred.base_url_env:
        env[base_field] = tuple(cred.base_url_env)
    auth = cred.auth.model_dump(mode="json")
    doc = [f"Credential for {spec.label} (``type: {cred.type}``).", "", "Fields:"]
    for f in cred.fields:
        notes = ", ".join(
            n
            for n in (
                "secret" if f.secret else "",
                "required" if f.required and f.default is None and not f.env else "",
                f"env {' or '.join(f.env)}" if f.env else "",
                f"default {f.default!r}" if f.default is not None else "",
            )
            if n
        )
        doc.append(f"    {f.name}{f' ({notes})' if notes else ''}: {f.description}")
    if base_field not in {f.name for f in cred.fields}:
        env_note = f"env {' or '.join(cred.base_url_env)}, " if cred.base_url_env else ""
        doc.append(f"    {base_field} ({env_note}default {cred.base_url!r}): root URL of the API.")
    return {
        "spec_file": f"spec/providers/{path.name}",
        "provider": spec.provider,
        "label": spec.label,
        "docs": spec.docs or "",
        "credential": {
            "class_name": cred.class_name.root,
            "doc": "\n".join(doc),
            "type": cred.type,
            "title": cred.title,
            "base_url": cred.base_url,
            "base_url_field": base_field,
            "fields": [f.model_dump(mode="json") for f in cred.fields],
            "auth": {
                "field": auth.get("field") or "",
                "placement": auth["placement"],
                "name": auth.get("name") or "Authorization",
                "scheme": auth.get("scheme"),
            },
            "env": env,
        },
        "models": models,
        # the provider's named formatter pairs not shipped by their dialect, and the
        # dialect formatter classes they derive from
        "formatters": [m["formatter"] for m in models if (m["formatter"] or {}).get("generated")],
        "formatter_bases": sorted(
            {
                tuple(base)
                for m in models
                if (m["formatter"] or {}).get("generated")
                for base in m["formatter"]["bases"]
            }
        ),
        "by_family": by_family,
        "primary": primary,
        "bases": {
            family: sorted(
                {(m["base_module"], m["base_name"]) for m in models if m["family"] == family}
            )
            for family in FAMILIES
        },
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["py"] = pyrepr
    env.filters["docstring"] = docstring
    return env


def render(spec_dir: Path) -> dict[Path, str]:
    """Every generated file's path (relative to the output root) and text, unformatted."""
    env = _environment()
    specs = load_specs(spec_dir)
    prefetch_parameters_classes(
        (f"{m.class_name.root}Parameters", m) for _, spec in specs for m in spec.models
    )
    providers = [_provider_context(p, s) for p, s in specs]
    types = [p["credential"]["type"] for p in providers]
    if len(set(types)) != len(types):
        raise SpecError(f"credential types repeat across specs: {types}")
    files: dict[Path, str] = {}
    for ctx in providers:
        files[PACKAGE / f"{ctx['provider']}.py"] = env.get_template(
            "specwire/_generated/provider.py.jinja"
        ).render(p=ctx)
        # Embedding, TTS and realtime classes in their own modules: the chat path never
        # loads their dependencies (numpy, websockets).
        for family in FAMILIES[1:]:
            if ctx["by_family"][family]:
                files[PACKAGE / f"{ctx['provider']}_{family}.py"] = env.get_template(
                    "specwire/_generated/provider_family.py.jinja"
                ).render(p=ctx, family=family)
    files[PACKAGE / "registry.py"] = env.get_template(
        "specwire/_generated/registry.py.jinja"
    ).render(providers=providers, formatters=formatter_registry(providers))
    files[PACKAGE / "__init__.py"] = env.get_template(
        "specwire/_generated/__init__.py.jinja"
    ).render()
    files.update(render_cards(env, spec_dir, providers))  # model cards: see codegen/cards.py
    return files


def _ruff(folder: Path) -> None:
    for args in (["check", "--fix-only", "--select", "I,F401", "--quiet"], ["format", "--quiet"]):
        cmd = [
            sys.executable,
            "-m",
            "ruff",
            *args,
            "--no-cache",
            # the project's own settings, so generated code passes the same lint
            "--config",
            str(PYPROJECT),
            str(folder),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode not in (0, 1):
            raise SpecError(f"ruff failed on generated code: {done.stderr or done.stdout}")


def generate(spec_dir: Path, out_dir: Path) -> list[Path]:
    """Render, format, and replace ``out_dir/specwire/_generated`` with the result."""
    files = render(spec_dir)
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        for rel, text in files.items():
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        _ruff(stage)
        final = out_dir / PACKAGE
        if final.exists():
            shutil.rmtree(final)
        shutil.copytree(stage / PACKAGE, final)
    # mypy looks for py.typed in each source root of the package, so the editable
    # install's generated half needs its own marker (the wheel keeps one).
    (out_dir / PACKAGE.parent / "py.typed").write_text("")
    return [out_dir / rel for rel in sorted(files)]
