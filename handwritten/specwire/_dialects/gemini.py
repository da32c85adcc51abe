"""Gemini: ``POST {base}/v1beta/models/{model}:generateContent``, and
``:streamGenerateContent`` streamed as SSE (``alt=sse``) or as a JSON array (the engine
reads either; each chunk is a whole ``GenerateContentResponse``).

- Parts: text, thought text (``thought: true``), ``thoughtSignature`` (kept with
  ``origin="gemini"``: on the thinking block, on the tool-call block's ``signature``
  extra, or for a plain text part as a signature-only thinking block after the text),
  ``functionCall`` (whole, or streamed as ``partialArgs`` pieces written out as JSON
  text), ``inlineData`` images.
- Function calls may come without an id: ids are made from the response id and the call
  number (``gemini_call_...``), stable across a stream's chunks, and never sent back.
- ``usageMetadata`` is a running total repeated on every chunk: it replaces, never adds.
  Output tokens include thought tokens (both are billed as output).
- Integer enum values (``finishReason: 1``) are read as well as names.

Spec options: ``GeminiOptions``. The dialect places ``thinking_enable`` itself
(``x-wire: null``: it becomes ``thinkingConfig.includeThoughts``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

from .._core.accumulator import StreamAccumulator
from .._core.blocks import Base64Source, DataBlock
from .._core.contract import DialectOptions
from .._core.dialect import ChatCall, ChatDialect, WireRequest
from .._core.error_body import GOOGLE_ERRORS, ErrorFormat
from .._core.errors import ContentFilterError
from .._core.finish_reasons import FinishReason
from .._core.ids import new_id
from .._core.reading import items, obj, objects
from .._formatters.gemini import (
    ORIGIN,
    SYNTHETIC_ID_PREFIX,
    GeminiChatFormatter,
    GeminiMultiAgentFormatter,
)
from .tools import function_tools, tool_choice

_ORIGIN = {"origin": ORIGIN}
_MODES = {"auto": "AUTO", "none": "NONE", "required": "ANY", "function": "ANY"}
_FILTERED = ("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY")
_FINISH_REASONS: dict[str, FinishReason] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    **dict.fromkeys(_FILTERED, "content_filter"),
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
    # the same values as integers (the enum's numbers, sent by some clients' servers)
    "1": "stop",
    "2": "length",
    **dict.fromkeys(("3", "4", "6", "7", "8", "10"), "content_filter"),
}


class GeminiOptions(DialectOptions):
    """What a spec says to the Gemini dialect."""

    foreign_call_signature: str | None = None
    """The thought signature Gemini documents for function calls it did not make
    (history from another provider): Gemini 3 rejects a model turn with function calls
    and no signature. None sends such calls unsigned."""


@dataclass(slots=True)
class GeminiExchange:
    """What one response or stream remembers between chunks."""

    id_base: str | None = None
    """The response id (or a new one), the stem of ids made for calls that have none."""
    calls: int = 0
    """Function calls seen: each gets block key ``("call", n)`` and id ``..._n``."""
    segment: int = 0
    """Text after a function call starts a new block; this numbers them."""
    signatures: int = 0
    """Signature-only thinking blocks made for signed plain parts."""
    media: int = 0
    """Inline data blocks seen."""
    open_call: tuple[str, int] | None = None
    """The call being streamed as ``partialArgs`` pieces, until it stops continuing."""
    writer: PartialArgsWriter | None = None
    """Writes that call's pieces out as JSON text."""
    usage: dict[str, int] = field(default_factory=dict)
    """The latest value of each usageMetadata figure (running totals)."""


class GeminiDialect(ChatDialect):
    """generateContent requests, responses and stream chunks."""

    name = "gemini"
    Options: ClassVar[type[DialectOptions]] = GeminiOptions
    options: GeminiOptions
    places: ClassVar[frozenset[str]] = frozenset({"thinking_enable"})
    error_format: ClassVar[ErrorFormat] = GOOGLE_ERRORS
    Exchange = GeminiExchange
    extra_location: ClassVar[tuple[str, ...]] = ("generationConfig",)
    formatter_class = GeminiChatFormatter
    multi_agent_formatter_class = GeminiMultiAgentFormatter
    finish_reasons = _FINISH_REASONS
    completion_signal = "a candidate's finishReason"
    system_apart = True

    # ------------------------------------------------------------------ request
    def build_request(self, call: ChatCall) -> WireRequest:
        system = [p for m in call.messages if m.get("role") == "system" for p in m["parts"]]
        contents = [m for m in call.messages if m.get("role") != "system"]
        placeholder = self.options.foreign_call_signature
        if placeholder:
            _sign_unsigned_calls(contents, placeholder)
        body: dict[str, Any] = {"contents": contents}
        if system:
            body["systemInstruction"] = {"parts": system}
        body.update(self.endpoint.fixed_body)
        tools = function_tools(call.tools)
        if tools:
            body["tools"] = [
                {
                    "functionDeclarations": [
                        {
                            "name": t.name,
                            "description": t.description,
                            "parametersJsonSchema": t.parameters,
                        }
                        for t in tools
                    ]
                }
            ]
            choice = tool_choice(call.tool_choice)
            if choice is not None:
                config: dict[str, Any] = {"mode": _MODES[choice.mode]}
                if choice.mode == "function" and choice.name:
                    config["allowedFunctionNames"] = [choice.name]
                body["toolConfig"] = {"functionCallingConfig": config}
        params = dict(call.parameters)
        enable = params.pop("thinking_enable", None)
        self.apply_parameters(body, params)
        if enable is not None:
            thinking = body.setdefault("generationConfig", {}).setdefault("thinkingConfig", {})
            thinking["includeThoughts"] = bool(enable)
            if not enable and not {"thinkingBudget", "thinkingLevel"} & thinking.keys():
                thinking["thinkingBudget"] = 0  # off, where the model allows it
        path = self.endpoint.path
        if call.stream and self.endpoint.stream_path:
            path = self.endpoint.stream_path
        model = quote(call.model.removeprefix("models/"), safe="")
        return WireRequest(path.replace("{model}", model), body)

    # ------------------------------------------------------------------ response
    def on_response(self, body: Any, acc: StreamAccumulator) -> None:
        chunks = body if isinstance(body, list) else [body]
        for chunk in chunks:
            self._read(chunk, acc)
        self._close_streamed_call(acc)

    def on_event(self, event: str | None, payload: Any, acc: StreamAccumulator) -> None:
        self._read(payload, acc)

    def _read(self, body: Any, acc: StreamAccumulator) -> None:
        if not isinstance(body, dict):
            return
        if body.get("error"):
            self._raise(body)
        exchange: GeminiExchange = acc.exchange
        if exchange.id_base is None:
            exchange.id_base = body.get("responseId") or new_id()
        self._usage(body.get("usageMetadata"), acc)
        candidates = objects(body.get("candidates"), "candidates", self.provider)
        if not candidates:
            reason = obj(body.get("promptFeedback"), "promptFeedback", self.provider).get(
                "blockReason"
            )
            if reason:
                raise ContentFilterError(
                    f"the prompt was blocked ({reason})",
                    code=str(reason),
                    provider=self.provider,
                    body=body,
                )
            return
        candidate = candidates[0] if isinstance(candidates[0], dict) else {}
        content = obj(candidate.get("content"), "candidates[0].content", self.provider)
        for part in items(content.get("parts"), "candidates[0].content.parts", self.provider):
            if isinstance(part, dict):
                self._part(part, acc)
        finish = candidate.get("finishReason")
        if finish is not None:
            acc.stop_reason = str(finish)
            acc.finished = True
            self._close_streamed_call(acc)

    def _part(self, part: dict[str, Any], acc: StreamAccumulator) -> None:
        state: GeminiExchange = acc.exchange
        segment = state.segment
        signature = part.get("thoughtSignature") or part.get("thought_signature")
        call = part.get("functionCall", part.get("function_call"))
        if isinstance(call, dict):
            self._function_call(call, signature, acc)
        elif isinstance(part.get("text"), str) and part.get("thought"):
            acc.thinking(
                part["text"], key=("thinking", segment), signature=signature, extra=_ORIGIN
            )
        elif isinstance(part.get("text"), str) or signature:
            acc.text(part.get("text") or "", key=("text", segment))
            if signature:  # a plain part's signature: its own block, right after the text
                state.signatures += 1
                key = ("signature", state.signatures)
                acc.thinking("", key=key, signature=signature, extra=_ORIGIN)
        inline = part.get("inlineData") or part.get("inline_data")
        if isinstance(inline, dict) and inline.get("data"):
            state.media += 1
            media = inline.get("mimeType") or inline.get("mime_type") or "application/octet-stream"
            source = Base64Source(data=inline["data"], media_type=media)
            acc.data(DataBlock(source=source), key=("data", state.media))

    def _function_call(
        self, call: dict[str, Any], signature: str | None, acc: StreamAccumulator
    ) -> None:
        state: GeminiExchange = acc.exchange
        extra = {**_ORIGIN, "signature": signature} if signature else None
        open_key = state.open_call
        if open_key is not None and state.writer is not None:  # next piece of a streamed call
            pieces = state.writer.feed(call.get("partialArgs") or [])
            acc.tool_call(open_key, arguments=pieces, extra=extra)
            if not call.get("willContinue"):
                self._close_streamed_call(acc)
            return
        if not call.get("name") and call.get("args") is None:
            return
        state.calls = number = state.calls + 1
        state.segment += 1
        key = ("call", number)
        call_id = call.get("id") or f"{SYNTHETIC_ID_PREFIX}{state.id_base}_{number}"
        extra = {**_ORIGIN, **(extra or {})}
        if call.get("willContinue") and call.get("args") is None:
            writer = PartialArgsWriter()
            state.open_call, state.writer = key, writer
            arguments = writer.start() + writer.feed(call.get("partialArgs") or [])
        else:
            arguments = json.dumps(call.get("args") or {}, ensure_ascii=False)
        acc.tool_call(key, call_id=call_id, name=call.get("name"), arguments=arguments, extra=extra)

    @staticmethod
    def _close_streamed_call(acc: StreamAccumulator) -> None:
        state: GeminiExchange = acc.exchange
        key, writer = state.open_call, state.writer
        if key is not None and writer is not None:
            state.open_call = state.writer = None
            acc.tool_call(key, arguments=writer.close())

    @staticmethod
    def _usage(meta: Any, acc: StreamAccumulator) -> None:
        if not isinstance(meta, dict):
            return
        seen: dict[str, int] = acc.exchange.usage
        seen.update({k: v for k, v in meta.items() if isinstance(v, int)})
        candidates = seen.get("candidatesTokenCount")
        thoughts = seen.get("thoughtsTokenCount")
        output = None
        if candidates is not None or thoughts is not None:
            output = (candidates or 0) + (thoughts or 0)
        acc.usage(
            input_tokens=seen.get("promptTokenCount"),
            output_tokens=output,
            reasoning_tokens=thoughts,
            cache_read_input_tokens=seen.get("cachedContentTokenCount"),
        )

    def _raise(self, body: dict[str, Any]) -> None:
        raise self.errors.error(body, provider=self.provider, fallback="error in stream")


def _sign_unsigned_calls(contents: list[dict[str, Any]], placeholder: str) -> None:
    """Give the first function call of each model turn without any thought signature the
    documented placeholder (the calls came from another provider)."""
    for content in contents:
        if content.get("role") != "model":
            continue
        parts = content.get("parts") or []
        calls = [p for p in parts if "functionCall" in p]
        if calls and not any("thoughtSignature" in p for p in parts):
            calls[0]["thoughtSignature"] = placeholder


# ---------------------------------------------------------------------- partialArgs
_PATH_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def _json_path(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for name, index, single, double in _PATH_STEP.findall(path.removeprefix("$")):
        if index:
            steps.append(int(index))
        else:
            steps.append(name or single or double)
    return steps


class PartialArgsWriter:
    """Gemini's streamed function-call arguments (``partialArgs``: a JSON path with a
    value, or a piece of a string, each) written out as JSON text piece by piece, so the
    deltas join to the final arguments. Paths come in document order, as the model writes
    them; a string stays open while pieces for the same path keep coming."""

    def __init__(self) -> None:
        # open containers, root first: [path step, is array, has items]
        self._stack: list[list[Any]] = [[None, False, False]]
        self._open_string: list[str | int] | None = None

    def start(self) -> str:
        """The text that opens the arguments object."""
        return "{"

    def feed(self, items: list[Any]) -> str:
        """JSON text for ``items``."""
        out: list[str] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            path = _json_path(item.get("jsonPath") or "")
            if not path:
                continue
            piece = item.get("stringValue")
            if isinstance(piece, str) and path == self._open_string:
                out.append(_escape(piece))
                continue
            out.append(self._close_string())
            out.append(self._open_parents(path))
            out.append(self._member(path[-1]))
            if isinstance(piece, str):
                out.append('"' + _escape(piece))
                self._open_string = path
            elif "numberValue" in item:
                out.append(json.dumps(item["numberValue"]))
            elif "boolValue" in item:
                out.append("true" if item["boolValue"] else "false")
            elif "structValue" in item or "listValue" in item:
                value = item.get("structValue", item.get("listValue"))
                out.append(json.dumps(value, ensure_ascii=False))
            else:
                out.append("null")
        return "".join(out)

    def close(self) -> str:
        """The text that closes every open string and container."""
        out = [self._close_string()]
        while self._stack:
            out.append("]" if self._stack.pop()[1] else "}")
        return "".join(out)

    def _close_string(self) -> str:
        if self._open_string is None:
            return ""
        self._open_string = None
        return '"'

    def _open_parents(self, path: list[str | int]) -> str:
        out: list[str] = []
        parents = path[:-1]
        current = [entry[0] for entry in self._stack[1:]]
        common = 0
        while common < min(len(current), len(parents)) and current[common] == parents[common]:
            common += 1
        for _ in range(len(current) - common):
            out.append("]" if self._stack.pop()[1] else "}")
        for depth in range(common, len(parents)):
            out.append(self._member(parents[depth]))
            is_array = isinstance(path[depth + 1], int)
            out.append("[" if is_array else "{")
            self._stack.append([parents[depth], is_array, False])
        return "".join(out)

    def _member(self, step: str | int) -> str:
        top = self._stack[-1]
        comma = "," if top[2] else ""
        top[2] = True
        return comma if top[1] else comma + json.dumps(str(step), ensure_ascii=False) + ":"


def _escape(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]
