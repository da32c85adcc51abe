"""OpenAI Chat Completions: ``POST {base}/chat/completions``, SSE ending in ``[DONE]``.

Provider differences are the spec options in ``OpenAIChatOptions``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from .._core.accumulator import StreamAccumulator
from .._core.contract import DialectOptions
from .._core.dialect import ChatCall, ChatDialect, WireRequest
from .._core.error_body import OPENAI_ERRORS, ErrorFormat
from .._core.errors import ServerError
from .._formatters.openai import OpenAIChatFormatter, OpenAIMultiAgentFormatter
from .tools import function_tools, openai_function_tools, tool_choice


class OpenAIChatOptions(DialectOptions):
    """What differs between servers speaking Chat Completions."""

    reasoning_fields: tuple[str, ...] = ("reasoning_content", "reasoning")
    """Message / delta fields that carry reasoning text, tried in order
    (``reasoning_content`` for DeepSeek, DashScope, Moonshot, xAI; ``reasoning`` for
    others)."""
    send_reasoning: Literal["never", "tool_turns", "always"] = "never"
    """Thinking in history: dropped (``never``), sent back as ``reasoning_content`` on
    assistant messages that call tools (``tool_turns``, as DeepSeek's thinking mode
    requires) or on every assistant message (``always``)."""
    stream_usage: bool = True
    """Ask for usage on streams with ``stream_options.include_usage``."""


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
        return WireRequest(self.endpoint.path, body)

    def _messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        policy = self.options.send_reasoning
        out = []
        for message in messages:
            if "reasoning_content" in message:
                message = dict(message)
                reasoning = message.pop("reasoning_content")
                keep = policy == "always" or (policy == "tool_turns" and message.get("tool_calls"))
                if keep:
                    message["reasoning_content"] = reasoning
            out.append(message)
        return out

    # ------------------------------------------------------------------ response
    def on_response(self, body: Any, acc: StreamAccumulator) -> None:
        if not isinstance(body, dict):
            raise ServerError(
                f"unexpected response body: {str(body)[:200]}", provider=self.provider
            )
        if body.get("error"):
            self._raise(body)
        choices = body.get("choices") or []
        if choices:
            choice = choices[0]
            message = choice.get("message") or {}
            for field in self.options.reasoning_fields:
                reasoning = message.get(field)
                if isinstance(reasoning, str) and reasoning:
                    acc.thinking(reasoning)
                    break
            content = message.get("content")
            if isinstance(content, list):  # some compatible servers return parts
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            if content:
                acc.text(content)
            for i, call in enumerate(message.get("tool_calls") or []):
                fn = call.get("function") or {}
                args = fn.get("arguments")
                if not isinstance(args, str):
                    args = json.dumps(args if args is not None else {}, ensure_ascii=False)
                acc.tool_call(i, call_id=call.get("id"), name=fn.get("name"), arguments=args)
            acc.stop_reason = choice.get("finish_reason")
        self._usage(body.get("usage"), acc)

    def on_event(self, event: str | None, payload: Any, acc: StreamAccumulator) -> None:
        if not isinstance(payload, dict):
            return
        if payload.get("error"):
            self._raise(payload)
        choices = payload.get("choices")
        if choices:
            choice = choices[0]
            delta = choice.get("delta")
            if delta:
                for field in self.options.reasoning_fields:
                    reasoning = delta.get(field)
                    if reasoning and isinstance(reasoning, str):
                        acc.thinking(reasoning)
                        break
                content = delta.get("content")
                if content:
                    acc.text(content)
                calls = delta.get("tool_calls")
                if calls:
                    self._tool_call_deltas(calls, acc)
            if choice.get("finish_reason"):
                acc.stop_reason = choice["finish_reason"]
                acc.finished = True
        usage = payload.get("usage")
        if usage:
            self._usage(usage, acc)

    def _tool_call_deltas(self, calls: list[dict[str, Any]], acc: StreamAccumulator) -> None:
        # Calls are keyed by index; a new id at a known index (servers that send every
        # call at index 0) starts a new call.
        ids = acc.exchange.ids
        for position, call in enumerate(calls):
            index = call.get("index", position)
            call_id = call.get("id")
            if call_id:
                ids[index] = call_id
            key = (index, ids.get(index))
            fn = call.get("function") or {}
            args = fn.get("arguments")
            if args is not None and not isinstance(args, str):
                args = json.dumps(args, ensure_ascii=False)
            acc.tool_call(key, call_id=call_id, name=fn.get("name"), arguments=args or "")

    @staticmethod
    def _usage(usage: Any, acc: StreamAccumulator) -> None:
        if not isinstance(usage, dict):
            return
        prompt = usage.get("prompt_tokens", usage.get("input_tokens"))
        completion = usage.get("completion_tokens", usage.get("output_tokens"))
        details = usage.get("prompt_tokens_details") or {}
        out_details = usage.get("completion_tokens_details") or {}
        acc.usage(
            input_tokens=prompt,
            output_tokens=completion,
            cache_read_input_tokens=details.get("cached_tokens")
            or usage.get("prompt_cache_hit_tokens"),
            reasoning_tokens=out_details.get("reasoning_tokens"),
        )

    def _raise(self, payload: dict[str, Any]) -> None:
        raise self.errors.error(payload, provider=self.provider, fallback="error event in stream")
