"""OpenAI Chat Completions: ``POST {base}/chat/completions``, SSE ending in ``[DONE]``.

Provider differences are the spec options in ``OpenAIChatOptions``.

Whatever the options, responses are read generally: ``content`` may be a list of typed
parts with thinking parts, and ``reasoning_details`` entries become thinking blocks that
keep their signature (see ``openai_parts``). Error bodies are read with the spec's error format (see ``error_body``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from .._core.accumulator import StreamAccumulator
from .._core.contract import DialectOptions
from .._core.dialect import ChatCall, ChatDialect, WireRequest
from .._core.error_body import OPENAI_ERRORS, ErrorFormat
from .._core.reading import count, obj, objects, text, wrong
from .._formatters.openai import OpenAIChatFormatter, OpenAIMultiAgentFormatter
from .openai_parts import (
    feed_content,
    feed_reasoning_details,
    fitted_tool_call_id,
    thinking_part,
)
from .tools import function_tools, openai_function_tools, tool_choice


class OpenAIChatOptions(DialectOptions):
    """What differs between servers speaking Chat Completions."""

    reasoning_fields: tuple[str, ...] = ("reasoning_content", "reasoning")
    """Message / delta fields that carry reasoning text, tried in order
    (``reasoning_content`` for DeepSeek, DashScope, Moonshot, xAI; ``reasoning`` for
    others)."""
    send_reasoning: Literal["never", "tool_turns", "always"] = "never"
    """Thinking in history: dropped (``never``), sent back (in the
    ``reasoning_request_format``) on assistant messages that call tools (``tool_turns``, as
    DeepSeek's thinking mode requires) or on every assistant message (``always``)."""
    reasoning_request_format: Literal["field", "content_parts", "reasoning_details"] = "field"
    """How thinking that ``send_reasoning`` keeps is written: ``field`` (the text as
    ``reasoning_content``), ``content_parts`` (a thinking part before the text in the
    assistant's ``content``, as Mistral reads it) or ``reasoning_details`` (the entries
    this provider sent, signatures and encrypted data included; reasoning from any other
    provider is dropped, as OpenRouter needs)."""
    stream_usage: bool = True
    """Ask for usage on streams with ``stream_options.include_usage``."""
    tool_call_id_length: int | None = None
    """Tool-call ids this server accepts are exactly this many letters and digits
    (Mistral: 9); ids from history that are not (another provider's ``call_...``) are
    replaced by a deterministic id of that form, on the call and on its result alike."""


@dataclass(slots=True)
class OpenAIChatExchange:
    """What one stream remembers between chunks."""

    ids: dict[Any, str] = field(default_factory=dict)
    """The id of the call last seen at each tool-call index."""


class OpenAIChatDialect(ChatDialect):
    """Chat Completions requests, responses and stream chunks."""

    name = "openai_chat"
    Options: ClassVar[type[DialectOptions]] = OpenAIChatOptions
    options: OpenAIChatOptions
    error_format: ClassVar[ErrorFormat] = OPENAI_ERRORS
    Exchange = OpenAIChatExchange
    formatter_class = OpenAIChatFormatter
    multi_agent_formatter_class = OpenAIMultiAgentFormatter
    finish_reasons = {
        "stop": "stop",
        "length": "length",
        "tool_calls": "tool_calls",
        "function_call": "tool_calls",
        "content_filter": "content_filter",
        "insufficient_system_resource": "other",  # DeepSeek: the server ran out
    }
    completion_signal = "[DONE] or a finish_reason"

    # ------------------------------------------------------------------ request
    def build_request(self, call: ChatCall) -> WireRequest:
        body: dict[str, Any] = {"model": call.model, "messages": self._messages(call.messages)}
        body.update(self.endpoint.fixed_body)
        if call.stream:
            body["stream"] = True
            if self.options.stream_usage:
                body["stream_options"] = {"include_usage": True}
        tools = function_tools(call.tools)
        if tools:
            body["tools"] = openai_function_tools(tools)
        choice = tool_choice(call.tool_choice)
        if choice is not None:
            body["tool_choice"] = (
                {"type": "function", "function": {"name": choice.name}}
                if choice.mode == "function"
                else choice.mode
            )
        params = dict(call.parameters)
        if not tools:
            # only meaningful, and only accepted, with tools
            params.pop("parallel_tool_calls", None)
        self.apply_parameters(body, params)
        return WireRequest(self.endpoint.path_for(call.model), body)

    def _messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # The formatter writes thinking provider-neutrally (``reasoning_content`` text,
        # ``reasoning_details`` entries tagged with their origin); this provider's form
        # is chosen here.
        policy = self.options.send_reasoning
        form = self.options.reasoning_request_format
        id_length = self.options.tool_call_id_length
        out = []
        for message in messages:
            if id_length is not None:
                message = _fit_tool_call_ids(message, id_length)
            if "reasoning_content" in message or "reasoning_details" in message:
                message = dict(message)
                reasoning = message.pop("reasoning_content", None)
                details = message.pop("reasoning_details", None)
                keep = policy == "always" or (policy == "tool_turns" and message.get("tool_calls"))
                if keep and form == "reasoning_details":
                    own = [
                        {k: v for k, v in entry.items() if k != "origin"}
                        for entry in details or ()
                        if isinstance(entry, dict) and entry.get("origin") == self.provider
                    ]
                    if own:
                        message["reasoning_details"] = own
                elif keep and form == "content_parts" and reasoning:
                    text = message.get("content")
                    parts = [thinking_part(reasoning)]
                    if isinstance(text, str) and text:
                        parts.append({"type": "text", "text": text})
                    elif isinstance(text, list):
                        parts.extend(text)
                    message["content"] = parts
                elif keep and form == "field" and reasoning:
                    message["reasoning_content"] = reasoning
            out.append(message)
        return out

    # ------------------------------------------------------------------ response
    @staticmethod
    def _speech(acc: StreamAccumulator, audio: Any) -> None:
        """Speech output (``modalities: ["text", "audio"]``): the audio as a data block,
        its transcript as text. Imported here, where speech arrives: most answers carry
        none."""
        from .media_output import openai_audio

        openai_audio(acc, audio)

    # Provider JSON is read through specwire._core.reading: a wrongly shaped answer
    # raises ResponseFormatError naming the path (choices[0].message.tool_calls[1]...).
    def on_response(self, body: Any, acc: StreamAccumulator) -> None:
        p = self.provider
        if not isinstance(body, dict):
            raise wrong("the response", body, "an object", p)
        if body.get("error"):
            self._raise(body)
        choices = objects(body.get("choices"), "choices", p)
        if choices:
            choice = choices[0]
            message = obj(choice.get("message"), "choices[0].message", p)
            self._reasoning(message, acc)
            content = message.get("content")
            if content:
                _feed_content(content, "choices[0].message.content", p, acc)
            where = "choices[0].message.tool_calls"
            for i, call in enumerate(objects(message.get("tool_calls"), where, p)):
                fn = obj(call.get("function"), f"{where}[{i}].function", p)
                args = fn.get("arguments")
                if not isinstance(args, str):
                    args = json.dumps(args if args is not None else {}, ensure_ascii=False)
                acc.tool_call(
                    i,
                    call_id=text(call.get("id"), f"{where}[{i}].id", p),
                    name=text(fn.get("name"), f"{where}[{i}].function.name", p),
                    arguments=args,
                )
            if message.get("audio"):
                self._speech(acc, message["audio"])
            acc.stop_reason = text(choice.get("finish_reason"), "choices[0].finish_reason", p)
        self._usage(body.get("usage"), acc, p)

    def on_event(self, event: str | None, payload: Any, acc: StreamAccumulator) -> None:
        if not isinstance(payload, dict):
            return
        if payload.get("error"):
            self._raise(payload)
        choices = payload.get("choices")
        if choices:
            p = self.provider
            if not isinstance(choices, list):
                raise wrong("choices", choices, "an array", p)
            choice = choices[0]
            if not isinstance(choice, dict):
                raise wrong("choices[0]", choice, "an object", p)
            delta = choice.get("delta")
            if delta:
                if not isinstance(delta, dict):
                    raise wrong("choices[0].delta", delta, "an object", p)
                self._reasoning(delta, acc)
                content = delta.get("content")
                if content:
                    if content.__class__ is str:
                        acc.text(content)
                    else:
                        _feed_content(content, "choices[0].delta.content", p, acc)
                calls = delta.get("tool_calls")
                if calls:
                    self._tool_call_deltas(objects(calls, "choices[0].delta.tool_calls", p), acc)
                if "audio" in delta:
                    self._speech(acc, delta["audio"])
            finish = choice.get("finish_reason")
            if finish:
                acc.stop_reason = text(finish, "choices[0].finish_reason", p)
                acc.finished = True
        usage = payload.get("usage")
        if usage:
            self._usage(usage, acc, self.provider)

    def _reasoning(self, message: dict[str, Any], acc: StreamAccumulator) -> None:
        """Reasoning of a message or delta: its ``reasoning_details`` entries (which repeat
        the plain reasoning text and add signatures), and the first non-empty spec'd
        reasoning field unless those entries already carried text."""
        details = message.get("reasoning_details")
        if (
            details
            and isinstance(details, list)
            and feed_reasoning_details(details, acc, self.provider)
        ):
            return
        for name in self.options.reasoning_fields:
            reasoning = message.get(name)
            if reasoning and isinstance(reasoning, str):
                acc.thinking(reasoning)
                return

    def _tool_call_deltas(self, calls: list[dict[str, Any]], acc: StreamAccumulator) -> None:
        # Calls are keyed by index; a new id at a known index (servers that send every
        # call at index 0) starts a new call.
        ids = acc.exchange.ids
        p = self.provider
        for position, call in enumerate(calls):
            where = f"choices[0].delta.tool_calls[{position}]"
            index = call.get("index", position)
            if not isinstance(index, int | str):
                raise wrong(f"{where}.index", index, "a number", p)
            call_id = text(call.get("id"), f"{where}.id", p)
            if call_id:
                ids[index] = call_id
            key = (index, ids.get(index))
            fn = obj(call.get("function"), f"{where}.function", p)
            args = fn.get("arguments")
            if args is not None and not isinstance(args, str):
                args = json.dumps(args, ensure_ascii=False)
            name = text(fn.get("name"), f"{where}.function.name", p)
            acc.tool_call(key, call_id=call_id, name=name, arguments=args or "")

    @staticmethod
    def _usage(usage: Any, acc: StreamAccumulator, p: str | None = None) -> None:
        if usage is None:
            return
        usage = obj(usage, "usage", p)
        prompt = count(
            usage.get("prompt_tokens", usage.get("input_tokens")), "usage.prompt_tokens", p
        )
        completion = count(
            usage.get("completion_tokens", usage.get("output_tokens")), "usage.completion_tokens", p
        )
        details = obj(usage.get("prompt_tokens_details"), "usage.prompt_tokens_details", p)
        out_details = obj(
            usage.get("completion_tokens_details"), "usage.completion_tokens_details", p
        )
        # xAI counts reasoning beside completion_tokens (total = prompt + completion +
        # reasoning); output_tokens stays the provider's completion_tokens, which the
        # shared conformance recordings pin, so ChatUsage documents the exception.
        reasoning = count(
            out_details.get("reasoning_tokens"),
            "usage.completion_tokens_details.reasoning_tokens",
            p,
        )
        acc.usage(
            input_tokens=prompt,
            output_tokens=completion,
            # OpenAI: prompt_tokens_details.cached_tokens; DeepSeek: prompt_cache_hit_tokens;
            # Moonshot: usage.cached_tokens
            cache_read_input_tokens=count(
                details.get("cached_tokens"), "usage.prompt_tokens_details.cached_tokens", p
            )
            or count(usage.get("prompt_cache_hit_tokens"), "usage.prompt_cache_hit_tokens", p)
            or count(usage.get("cached_tokens"), "usage.cached_tokens", p),
            reasoning_tokens=reasoning,
        )

    def _raise(self, payload: dict[str, Any]) -> None:
        raise self.errors.error(payload, provider=self.provider, fallback="error event in stream")


def _fit_tool_call_ids(message: dict[str, Any], length: int) -> dict[str, Any]:
    """``message`` with its tool-call ids (assistant calls, tool results) fitted."""
    calls = message.get("tool_calls")
    call_id = message.get("tool_call_id")
    if not calls and not isinstance(call_id, str):
        return message
    message = dict(message)
    if isinstance(call_id, str):
        message["tool_call_id"] = fitted_tool_call_id(call_id, length)
    if calls:
        message["tool_calls"] = [
            {**c, "id": fitted_tool_call_id(c["id"], length)}
            if isinstance(c, dict) and isinstance(c.get("id"), str)
            else c
            for c in calls
        ]
    return message


def _feed_content(content: Any, path: str, provider: str, acc: StreamAccumulator) -> None:
    """A message's content: a string, or typed parts (text and thinking); anything else
    is a malformed answer, never silently dropped."""
    if not isinstance(content, str | list | dict):
        raise wrong(path, content, "a string or an array of content parts", provider)
    feed_content(content, acc)
