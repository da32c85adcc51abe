"""Malformed answers raise typed errors, never bare Python ones.

A property test mutates real recorded provider answers (the conformance recordings in
``<repo>/../shared/conformance/recordings``, or ``<repo>/../../shared/...`` for a worktree
checkout) and the project's own seeds (``dialects.py``, so it runs without shared/):
fields dropped, nulled, retyped, strings cut; bodies truncated, bytes flipped, invalid
UTF-8 and a BOM inserted. Whatever comes out must be a correct response or a
``SpecwireError``. Then each malformed shape named in issue 11 gets its own test.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specwire._testing import LoopbackServer, Reply
from specwire.errors import ResponseFormatError, SpecwireError
from specwire.message import UserMsg
from specwire.model import ChatResponse
from tests.conftest import ROOT

from .dialects import CASES, STOP_VALUES, DialectCase

ASK = [UserMsg(name="user", content="hello")]
KEY = "sk-mutation-test-key"
BY_NAME = {c.name: c for c in CASES}


def _recordings_dir() -> Path | None:
    for candidate in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        folder = candidate / "conformance" / "recordings"
        if folder.is_dir():
            return folder
    return None


RECORDINGS = _recordings_dir()


@dataclass(frozen=True)
class Seed:
    """One answer to mutate: its dialect, framing and items (JSON values, or raw bytes
    for items that are not JSON, such as ``[DONE]``)."""

    name: str
    dialect: str
    stream: bool
    content_type: str
    items: tuple[Any, ...]  # whole answer: one item; SSE: (event name, data); NDJSON: lines
    error: bool = False  # recorded as an error answer (an error event in a 200 stream)

    def body(self, items: tuple[Any, ...] | None = None) -> list[bytes]:
        out: list[bytes] = []
        for item in self.items if items is None else items:
            if not self.stream:
                out.append(item if isinstance(item, bytes) else json.dumps(item).encode())
            elif self.content_type.startswith("application/x-ndjson"):
                out.append((item if isinstance(item, bytes) else json.dumps(item).encode()) + b"\n")
            else:
                name, data = item
                raw = data if isinstance(data, bytes) else json.dumps(data).encode()
                head = f"event: {name}\n".encode() if name else b""
                out.append(head + b"data: " + raw + b"\n\n")
        return out


def _sse_items(raw: bytes) -> tuple[Any, ...]:
    items = []
    for block in raw.replace(b"\r\n", b"\n").split(b"\n\n"):
        name, data = None, []
        for line in block.split(b"\n"):
            if line.startswith(b"event:"):
                name = line[6:].strip().decode("utf-8", "replace")
            elif line.startswith(b"data:"):
                data.append(line[5:].strip())
        if not data:
            continue
        joined = b"\n".join(data)
        try:
            items.append((name, json.loads(joined)))
        except ValueError:
            items.append((name, joined))
    return tuple(items)


def _recorded_seeds() -> list[Seed]:
    if RECORDINGS is None:
        return []
    seeds = []
    for path in sorted(RECORDINGS.glob("*/*.json")):
        record = json.loads(path.read_text())
        response = record.get("response") or {}
        if record.get("dialect") not in BY_NAME or response.get("status") != 200:
            continue
        raw = base64.b64decode(response.get("body_b64") or "")
        kind = (response.get("headers") or {}).get("content-type", "application/json")
        stream = bool(record.get("stream"))
        if not stream:
            try:
                items: tuple[Any, ...] = (json.loads(raw),)
            except ValueError:
                continue
        elif "ndjson" in kind or record["dialect"] == "ollama":
            kind = "application/x-ndjson"
            items = tuple(json.loads(line) for line in raw.splitlines() if line.strip())
        elif kind.startswith("application/json"):
            continue  # Gemini's JSON-array stream: mutated as bytes by the whole-body seeds
        else:
            items = _sse_items(raw)
        error = "error" in (record.get("features") or [])
        seeds.append(Seed(path.stem, record["dialect"], stream, kind, items, error))
    return seeds


def _own_seeds() -> list[Seed]:
    seeds = []
    for case in CASES:
        finish = STOP_VALUES[case.name]
        seeds.append(
            Seed(
                f"own-{case.name}-whole",
                case.name,
                False,
                "application/json",
                (case.whole(finish),),
            )
        )
        pieces = case.events(finish, True)
        joined = b"".join(pieces)
        if case.content_type == "application/x-ndjson":
            items = tuple(json.loads(line) for line in joined.splitlines() if line.strip())
        else:
            items = _sse_items(joined)
        seeds.append(Seed(f"own-{case.name}-stream", case.name, True, case.content_type, items))
    return seeds


OWN_SEEDS = _own_seeds()
RECORDED_SEEDS = _recorded_seeds()


# ------------------------------------------------------------------ mutations
def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*prefix, index))


REPLACEMENTS: list[Any] = [None, 5, -1, 1.5, "many", "", True, [], {}, [None], {"0": {}}, "none"]


def _mutate_json(value: Any, path: tuple[Any, ...], op: str, replacement: Any) -> Any:
    if not path:
        return replacement if op != "drop" else None
    value = copy.deepcopy(value)
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if op == "drop":
        if isinstance(parent, dict):
            del parent[last]
        else:
            del parent[last]
    elif op == "cut" and isinstance(parent[last], str):
        parent[last] = parent[last][: len(parent[last]) // 2]
    else:
        parent[last] = replacement
    return value


@st.composite
def mutated(draw: st.DrawFn, seeds: list[Seed]) -> tuple[Seed, list[bytes], str]:
    seed = draw(st.sampled_from(seeds))
    kind = draw(st.sampled_from(["json", "json", "json", "bytes"]))
    if kind == "json":
        index = draw(st.integers(0, len(seed.items) - 1))
        item = seed.items[index]
        doc = item[1] if seed.stream and isinstance(item, tuple) else item
        if isinstance(doc, bytes):
            kind = "bytes"
        else:
            path = draw(st.sampled_from(list(_paths(doc))))
            op = draw(st.sampled_from(["drop", "null", "retype", "cut"]))
            replacement = None if op == "null" else draw(st.sampled_from(REPLACEMENTS))
            new_doc = _mutate_json(doc, path, op, replacement)
            new_item = (item[0], new_doc) if seed.stream and isinstance(item, tuple) else new_doc
            items = (*seed.items[:index], new_item, *seed.items[index + 1 :])
            how = f"{seed.name}: item {index} {op} at {list(path)} -> {replacement!r}"
            return seed, seed.body(items), how
    body = b"".join(seed.body())
    op = draw(st.sampled_from(["truncate", "flip", "invalid-utf8", "bom", "drop-range"]))
    at = draw(st.integers(0, max(0, len(body) - 1)))
    if op == "truncate":
        body = body[:at]
    elif op == "flip":
        body = (
            body[:at] + bytes([body[at] ^ draw(st.integers(1, 255))]) + body[at + 1 :]
            if body
            else body
        )
    elif op == "invalid-utf8":
        body = body[:at] + b"\xff\xfe\xc3" + body[at:]
    elif op == "bom":
        body = b"\xef\xbb\xbf" + body
    else:
        body = body[:at] + body[at + draw(st.integers(1, 64)) :]
    size = draw(st.integers(1, 512))
    pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    return seed, pieces, f"{seed.name}: bytes {op} at {at}, pieces of {size}"


async def _run(seed: Seed, pieces: list[bytes]) -> None:
    case: DialectCase = BY_NAME[seed.dialect]
    reply = Reply(body=pieces, content_type=seed.content_type)
    async with LoopbackServer([reply]) as server:
        model = case.make(server.url, KEY, seed.stream)
        try:
            result = await model(ASK)
            if not isinstance(result, ChatResponse):
                async for _ in result:
                    pass
        finally:
            await model.aclose()


def _check(seed: Seed, pieces: list[bytes], how: str) -> None:
    try:
        asyncio.run(_run(seed, pieces))
    except SpecwireError:
        pass
    except Exception as exc:  # the property: nothing else escapes
        raise AssertionError(f"{type(exc).__name__} escaped for {how}: {exc}") from exc


@given(mutated(OWN_SEEDS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_answers_of_our_own_seeds_raise_only_specwire_errors(
    example: tuple[Seed, list[bytes], str],
) -> None:
    _check(*example)


@pytest.mark.skipif(
    not RECORDED_SEEDS,
    reason="no recorded answers: <repo>/../shared/conformance/recordings is absent "
    "(the property still runs on the project's own seeds above)",
)
@given(st.data())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_recorded_answers_raise_only_specwire_errors(data: st.DataObject) -> None:
    _check(*data.draw(mutated(RECORDED_SEEDS)))


@pytest.mark.parametrize("seed", OWN_SEEDS + RECORDED_SEEDS, ids=lambda s: s.name)
def test_every_seed_unmutated_gives_an_answer(seed: Seed) -> None:
    if seed.error:
        with pytest.raises(SpecwireError):
            asyncio.run(_run(seed, seed.body()))
    else:
        asyncio.run(_run(seed, seed.body()))


# ------------------------------------------------------------------ the shapes
OPENAI = BY_NAME["openai_chat"]


async def _whole(body: Any) -> ResponseFormatError:
    async with LoopbackServer([Reply.json(body)]) as server:
        with pytest.raises(ResponseFormatError) as info:
            await OPENAI.make(server.url, KEY, False)(ASK)
    return info.value


def _message(**fields: Any) -> dict[str, Any]:
    return {
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", **fields}}
        ]
    }


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"choices": [None]}, "choices[0]"),
        ({"choices": "none"}, "choices"),
        ({"choices": {"0": {}}}, "choices"),
        (_message(tool_calls=[None]), "choices[0].message.tool_calls[0]"),
        (_message(content=5), "choices[0].message.content"),
        (
            {**_message(content="hi"), "usage": {"prompt_tokens": "many", "completion_tokens": 1}},
            "usage.prompt_tokens",
        ),
    ],
)
async def test_malformed_openai_answers_name_the_wrong_path(body: Any, path: str) -> None:
    error = await _whole(body)
    assert path in str(error), str(error)


async def test_a_stream_event_with_a_null_choice_names_it() -> None:
    events = [("", {"choices": [None]})]
    seed = Seed("null-choice", "openai_chat", True, "text/event-stream", tuple(events))
    with pytest.raises(ResponseFormatError, match=r"choices\[0\]"):
        await _run(seed, seed.body())


async def test_an_event_name_in_invalid_utf8_does_not_escape_as_unicode_error() -> None:
    body = (
        b"event: \xff\xfe\ndata: "
        + json.dumps({"choices": [{"delta": {"content": "hi"}, "finish_reason": "stop"}]}).encode()
        + b"\n\ndata: [DONE]\n\n"
    )
    seed = Seed("bad-utf8", "openai_chat", True, "text/event-stream", ())
    await _run(seed, [body])  # the event's name is not needed to read it


async def test_a_leading_bom_keeps_the_first_event() -> None:
    pieces = OPENAI.events("stop", True)
    async with LoopbackServer(
        [Reply(body=[b"\xef\xbb\xbf" + pieces[0], *pieces[1:]], content_type="text/event-stream")]
    ) as server:
        result = await OPENAI.make(server.url, KEY, True)(ASK)
        assert not isinstance(result, ChatResponse)
        chunks = [c async for c in result]
    assert "".join(b.text for b in chunks[-1].content if b.type == "text") == "Hello world"
