"""OpenAI Responses: ``POST {base}/responses``, typed SSE events.

A response is a list of output items (``message``, ``reasoning``, ``function_call``...)
addressed by ``output_index``; stream events name the item they extend. Each item becomes
one block keyed by its index, so parallel calls and interleaved reasoning stay apart.
Text, reasoning and arguments are taken from the deltas; an item's ``done`` event (or the
final ``response.completed``) fills in whatever a server did not stream.

The dialect is stateless (``store: false`` in the spec's fixed body): reasoning models
are asked for ``reasoning.encrypted_content``, which is kept as the ``ThinkingBlock``'s
signature and sent back as a reasoning item on the next turn.

Spec options: ``OpenAIResponsesOptions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, ClassVar

from .._core.accumulator import StreamAccumulator
from .._core.contract import DialectOptions
from .._core.dialect import ChatCall, ChatDialect, WireRequest
from .._core.error_body import ErrorFormat
from .._core.errors import ServerError
from .._core.reading import obj, objects
from .._formatters.openai_responses import (
    ORIGIN,
    OpenAIResponseFormatter,
    OpenAIResponseMultiAgentFormatter,
)
from .media_output import generated_image
from .tools import function_tools, tool_choice

_EXTRA = {"origin": ORIGIN}  # marks reasoning this API can verify when it comes back
_FINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.done"})


class OpenAIResponsesOptions(DialectOptions):
    """What a spec says to the Responses dialect."""

    encrypted_reasoning_models: tuple[str, ...] = ()
    """fnmatch patterns (case-insensitive) of the models whose requests ask for
    ``include: [reasoning.encrypted_content]``; other models reject that include."""


@dataclass(slots=True)
class OpenAIResponsesExchange:
    """What one response or stream remembers between events, by output index."""

    index_of: dict[str, Any] = field(default_factory=dict)
    """Output index of each item id (events that name the item, not its index)."""
    streamed_text: set[Any] = field(default_factory=set)
    streamed_reasoning: set[Any] = field(default_factory=set)
    streamed_args: set[Any] = field(default_factory=set)
    """Items whose text, reasoning or arguments came as deltas (their done event must
    not add them again)."""
    summary_part: dict[Any, Any] = field(default_factory=dict)
    """The reasoning summary part last streamed for each item."""
    done: set[Any] = field(default_factory=set)
    """Items already finished (the final response repeats them)."""


class OpenAIResponsesDialect(ChatDialect):
    """Responses API requests, response objects and stream events."""

    name = "openai_responses"
    Options: ClassVar[type[DialectOptions]] = OpenAIResponsesOptions
    options: OpenAIResponsesOptions
    Exchange = OpenAIResponsesExchange
    # HTTP errors and `error` events: {"error": {...}} or the event's own code/message;
    # `response.failed`: the response's error.
    error_format: ClassVar[ErrorFormat] = ErrorFormat(
        message=("error.message", "response.error.message", "message"),
        type=("error.type",),
        code=("error.code", "response.error.code", "code"),
    )
    formatter_class = OpenAIResponseFormatter
    multi_agent_formatter_class = OpenAIResponseMultiAgentFormatter
    # a completed response's status, or an incomplete one's incomplete_details.reason
    finish_reasons = {
        "completed": "stop",
        "max_output_tokens": "length",
        "content_filter": "content_filter",
    }
    completion_signal = "response.completed or response.incomplete"

    # ------------------------------------------------------------------ request
    def build_request(self, call: ChatCall) -> WireRequest:
        items = list(call.messages)
        # Leading system messages are the instructions; later ones stay in place.
        instructions: list[str] = []
        while items and items[0].get("role") in ("system", "developer"):
            instructions.append(str(items.pop(0).get("content") or ""))
        body: dict[str, Any] = {"model": call.model, "input": items}
        if any(instructions):
            body["instructions"] = "\n\n".join(i for i in instructions if i)
        body.update(self.endpoint.fixed_body)
        body["stream"] = call.stream
        name = call.model.lower()
        patterns = self.options.encrypted_reasoning_models
        if any(fnmatchcase(name, p.lower()) for p in patterns):
            body["include"] = ["reasoning.encrypted_content"]
        tools = function_tools(call.tools)
        if tools:
            # strict defaults to true in this API, which rejects schemas with optional
            # properties; arbitrary tool schemas need it off.
            body["tools"] = [
                {
                    "type": "function",
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                    "strict": False,
                }
                for t in tools
            ]
        choice = tool_choice(call.tool_choice)
        if choice is not None:
            body["tool_choice"] = (
                {"type": "function", "name": choice.name}
                if choice.mode == "function"
                else choice.mode
            )
        params = dict(call.parameters)
        if not tools:
            params.pop("parallel_tool_calls", None)  # only meaningful with tools
        self.apply_parameters(body, params)
        return WireRequest(self.endpoint.path, body)

    # ------------------------------------------------------------------ response
    def on_response(self, body: Any, acc: StreamAccumulator) -> None:
        if not isinstance(body, dict):
            raise ServerError(
                f"unexpected response body: {str(body)[:200]}", provider=self.provider
            )
        if body.get("error") and (body.get("status") in (None, "failed")):
            raise self.errors.error(body, provider=self.provider, fallback="the response failed")
        for index, item in enumerate(objects(body.get("output"), "output", self.provider)):
            self._item_done(index, item, acc)
        self._finish(body, acc)

    def on_event(self, event: str | None, payload: Any, acc: StreamAccumulator) -> None:
        if not isinstance(payload, dict):
            return
        kind = payload.get("type") or event
        index = self._index(payload, acc)
        if kind == "response.output_text.delta" or kind == "response.refusal.delta":
            acc.exchange.streamed_text.add(index)
            acc.text(payload.get("delta") or "", ("text", index))
        elif kind == "response.reasoning_summary_text.delta":
            self._summary_delta(index, payload, acc)
        elif kind == "response.reasoning_text.delta":
            acc.exchange.streamed_reasoning.add(index)
            acc.thinking(payload.get("delta") or "", ("reasoning", index), extra=_EXTRA)
        elif kind == "response.function_call_arguments.delta":
            acc.exchange.streamed_args.add(index)
            acc.tool_call(("call", index), arguments=payload.get("delta") or "")
        elif kind == "response.function_call_arguments.done":
            if index not in acc.exchange.streamed_args:
                acc.exchange.streamed_args.add(index)
                acc.tool_call(("call", index), arguments=payload.get("arguments") or "")
        elif kind == "response.image_generation_call.partial_image":
            # a preview: it replaces the block until the item's result arrives
            generated_image(acc, payload.get("partial_image_b64"), ("image", index))
        elif kind == "response.output_item.added":
            item = obj(payload.get("item"), f"{kind}.item", self.provider)
            if item.get("id") is not None:
                acc.exchange.index_of[item["id"]] = index
            if item.get("type") == "function_call":
                acc.tool_call(("call", index), call_id=item.get("call_id"), name=item.get("name"))
        elif kind == "response.output_item.done":
            self._item_done(index, payload.get("item") or {}, acc)
        elif kind in _FINAL_EVENTS:
            response = obj(payload.get("response"), f"{kind}.response", self.provider)
            done = acc.exchange.done
            for position, item in enumerate(
                objects(response.get("output"), "response.output", self.provider)
            ):
                if position not in done:
                    self._item_done(position, item, acc)
            self._finish(response, acc)
            acc.finished = True
        elif kind == "response.failed":
            raise self.errors.error(payload, provider=self.provider, fallback="the response failed")
        elif kind == "error":
            raise self.errors.error(payload, provider=self.provider, fallback="error event")

    @staticmethod
    def _index(payload: dict[str, Any], acc: StreamAccumulator) -> Any:
        index = payload.get("output_index")
        if index is None and payload.get("item_id") is not None:
            index = acc.exchange.index_of.get(payload["item_id"])
        return index if index is not None else payload.get("item_id")

    @staticmethod
    def _summary_delta(index: Any, payload: dict[str, Any], acc: StreamAccumulator) -> None:
        # A reasoning summary comes in parts; they are joined with a blank line, as the
        # non-streamed item's summary list is.
        parts: dict[Any, Any] = acc.exchange.summary_part
        part = payload.get("summary_index", 0)
        separator = "\n\n" if index in parts and parts[index] != part else ""
        parts[index] = part
        acc.exchange.streamed_reasoning.add(index)
        acc.thinking(separator + (payload.get("delta") or ""), ("reasoning", index), extra=_EXTRA)

    def _item_done(self, index: Any, item: dict[str, Any], acc: StreamAccumulator) -> None:
        acc.exchange.done.add(index)
        kind = item.get("type")
        if kind == "message":
            if index not in acc.exchange.streamed_text:
                for part in item.get("content") or []:
                    if isinstance(part, dict) and part.get("type") in ("output_text", "refusal"):
                        acc.text(part.get("text") or part.get("refusal") or "", ("text", index))
        elif kind == "reasoning":
            text = _reasoning_text(item)
            if text and index not in acc.exchange.streamed_reasoning:
                acc.thinking(text, ("reasoning", index), extra=_EXTRA)
            if item.get("encrypted_content"):
                signature = item["encrypted_content"]
                acc.thinking("", ("reasoning", index), signature=signature, extra=_EXTRA)
        elif kind == "image_generation_call":
            generated_image(acc, item.get("result"), ("image", index), item.get("output_format"))
        elif kind == "function_call":
            arguments = ""
            if index not in acc.exchange.streamed_args:
                arguments = item.get("arguments") or ""
            acc.tool_call(
                ("call", index),
                call_id=item.get("call_id"),
                name=item.get("name"),
                arguments=arguments,
            )

    @staticmethod
    def _finish(response: dict[str, Any], acc: StreamAccumulator) -> None:
        incomplete = response.get("incomplete_details") or {}
        acc.stop_reason = incomplete.get("reason") or response.get("status") or acc.stop_reason
        usage = response.get("usage")
        if isinstance(usage, dict):
            details = usage.get("input_tokens_details") or {}
            out_details = usage.get("output_tokens_details") or {}
            acc.usage(
                input_tokens=usage.get("input_tokens"),
                output_tokens=usage.get("output_tokens"),
                cache_read_input_tokens=details.get("cached_tokens"),
                reasoning_tokens=out_details.get("reasoning_tokens"),
            )


def _reasoning_text(item: dict[str, Any]) -> str:
    """A reasoning item's readable text: its summary parts, else its raw reasoning."""
    summary = [p.get("text") or "" for p in item.get("summary") or [] if isinstance(p, dict)]
    if any(summary):
        return "\n\n".join(s for s in summary if s)
    return "".join(p.get("text") or "" for p in item.get("content") or [] if isinstance(p, dict))
