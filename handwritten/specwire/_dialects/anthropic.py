"""Anthropic Messages: ``POST {base}/v1/messages``; SSE with named events and no
terminator payload (``message_stop`` ends it).

Content blocks are keyed by their ``index``, so text, thinking and parallel tool calls
stay apart. Thinking blocks keep their signature (and redacted thinking its data) with
``origin="anthropic"``, which the formatter checks before sending them back.

Spec options: ``AnthropicOptions``. The dialect places ``thinking_enable``,
``thinking_budget`` and ``parallel_tool_calls`` itself (``x-wire: null``).

Documented limitations, each to keep a request the API would reject from being sent:
- With thinking on, Anthropic refuses a forced ``tool_choice``: it is sent as ``auto``
  (``generate_structured_output`` then falls back to asking for the tool by instruction).
- With thinking on, ``temperature`` and ``top_k`` are not sent, and ``top_p`` only
  within 0.95..1.
- A ``budget_tokens`` not below ``max_tokens`` raises ``max_tokens`` by the budget.
- When the last assistant turn calls tools without a signed thinking block (history
  from another provider), thinking is switched off for that request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .._core.accumulator import StreamAccumulator
from .._core.contract import DialectOptions
from .._core.dialect import ChatCall, ChatDialect, WireRequest
from .._core.error_body import ErrorFormat
from .._core.reading import items, obj, wrong
from .._formatters.anthropic import ORIGIN, AnthropicChatFormatter, AnthropicMultiAgentFormatter
from .tools import function_tools, tool_choice

_EXTRA = {"origin": ORIGIN}
_DEFAULT_MAX_TOKENS = 4096  # the API requires max_tokens; the spec's default normally applies


class AnthropicOptions(DialectOptions):
    """What a spec says to the Messages dialect."""

    adaptive_thinking_prefixes: tuple[str, ...] = ()
    """Model-name prefixes that take ``{type: adaptive}`` when thinking is switched on
    without a budget (budgeted thinking is deprecated or rejected on them)."""
    default_thinking_budget: int = 2048
    """``budget_tokens`` when thinking is on without a budget on other models."""


@dataclass(slots=True)
class AnthropicExchange:
    """What one response or stream remembers between events."""

    kinds: dict[Any, str | None] = field(default_factory=dict)
    """The type of the content block at each index (arguments of server tools are not
    ours)."""
    tool_inputs: dict[Any, str] = field(default_factory=dict)
    """A tool_use's whole input given at its start, kept until deltas replace it or the
    block stops."""
    usage: dict[str, int] = field(default_factory=dict)
    """The latest value of each usage figure (message_start, then message_delta)."""


class AnthropicMessagesDialect(ChatDialect):
    """Messages API requests, responses and stream events."""

    name = "anthropic"
    Options: ClassVar[type[DialectOptions]] = AnthropicOptions
    options: AnthropicOptions
    places: ClassVar[frozenset[str]] = frozenset(
        {"thinking_enable", "thinking_budget", "parallel_tool_calls"}
    )
    Exchange = AnthropicExchange
    # {"type": "error", "error": {"type": "overloaded_error", "message"}}
    error_format: ClassVar[ErrorFormat] = ErrorFormat(
        message=("error.message",), type=("error.type",)
    )
    formatter_class = AnthropicChatFormatter
    multi_agent_formatter_class = AnthropicMultiAgentFormatter
    finish_reasons = {
        "end_turn": "stop",
        "stop_sequence": "stop",
        "max_tokens": "length",
        "model_context_window_exceeded": "length",
        "tool_use": "tool_calls",
        "pause_turn": "pause",
        "refusal": "refusal",
    }
    completion_signal = "message_stop"
    system_apart = True

    # ------------------------------------------------------------------ request
    def build_request(self, call: ChatCall) -> WireRequest:
        system = [m["content"] for m in call.messages if m.get("role") == "system"]
        messages = [m for m in call.messages if m.get("role") != "system"]
        body: dict[str, Any] = {"model": call.model, "messages": messages}
        if system:
            body["system"] = "\n\n".join(system)
        body.update(self.endpoint.fixed_body)
        if call.stream:
            body["stream"] = True
        params = dict(call.parameters)
        thinking = self._thinking(call.model, params, messages)
        if thinking is not None:
            body["thinking"] = thinking
        thinking_on = thinking is not None and thinking["type"] != "disabled"
        if thinking_on:
            params.pop("temperature", None)
            params.pop("top_k", None)
            if params.get("top_p") is not None and params["top_p"] < 0.95:
                params.pop("top_p")
        tools = function_tools(call.tools)
        parallel = params.pop("parallel_tool_calls", None)
        if tools:
            body["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in tools
            ]
            choice = self._tool_choice(call.tool_choice, thinking_on, parallel)
            if choice is not None:
                body["tool_choice"] = choice
        self.apply_parameters(body, params)
        return WireRequest(self.endpoint.path, body)

    def _thinking(
        self, model: str, params: dict[str, Any], messages: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The ``thinking`` field, with ``max_tokens`` set so that the budget fits."""
        enable = params.pop("thinking_enable", None)
        budget = params.pop("thinking_budget", None)
        max_tokens = int(params.get("max_tokens") or _DEFAULT_MAX_TOKENS)
        params["max_tokens"] = max_tokens
        if enable is None:
            return None
        if not enable:
            return {"type": "disabled"}
        if not _history_allows_thinking(messages):
            return None
        prefixes = self.options.adaptive_thinking_prefixes
        if budget is None and prefixes and model.startswith(prefixes):
            return {"type": "adaptive"}
        budget = int(budget or self.options.default_thinking_budget)
        if budget >= max_tokens:
            # max_tokens counts thinking too; keep the answer's room on top of the budget.
            params["max_tokens"] = budget + max_tokens
        return {"type": "enabled", "budget_tokens": budget}

    @staticmethod
    def _tool_choice(
        choice: Any, thinking_on: bool, parallel: bool | None
    ) -> dict[str, Any] | None:
        neutral = tool_choice(choice)
        mode = neutral.mode if neutral is not None else None
        if thinking_on and mode in ("required", "function"):
            mode = "auto"  # forced tool use is refused with thinking on
        if mode is None and parallel is not False:
            return None
        out: dict[str, Any]
        if mode == "function" and neutral is not None:
            out = {"type": "tool", "name": neutral.name}
        elif mode == "required":
            out = {"type": "any"}
        elif mode == "none":
            return {"type": "none"}
        else:
            out = {"type": "auto"}
        if parallel is False:
            out["disable_parallel_tool_use"] = True
        return out

    # ------------------------------------------------------------------ response
    def on_response(self, body: Any, acc: StreamAccumulator) -> None:
        if not isinstance(body, dict):
            raise wrong("the response", body, "an object", self.provider)
        if body.get("type") == "error":
            self._raise(body)
        for index, block in enumerate(items(body.get("content"), "content", self.provider)):
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_use":
                acc.tool_call(
                    index,
                    call_id=block.get("id"),
                    name=block.get("name"),
                    arguments=_dump(block.get("input")),
                )
            else:
                _open_content_block(block, index, acc)
        acc.stop_reason = body.get("stop_reason")
        self._usage(body.get("usage"), acc)

    def on_event(self, event: str | None, payload: Any, acc: StreamAccumulator) -> None:
        if not isinstance(payload, dict):
            return
        kind = payload.get("type") or event
        if kind == "content_block_delta":
            self._delta(payload, acc)
        elif kind == "content_block_start":
            self._block_start(payload, acc)
        elif kind == "content_block_stop":
            started = acc.exchange.tool_inputs.pop(payload.get("index"), None)
            if started:  # a tool_use whose input came whole at its start, with no deltas
                acc.tool_call(payload.get("index"), arguments=started)
        elif kind == "message_start":
            message = obj(payload.get("message"), "message_start.message", self.provider)
            self._usage(message.get("usage"), acc)
        elif kind == "message_delta":
            delta = obj(payload.get("delta"), "message_delta.delta", self.provider)
            if delta.get("stop_reason"):
                acc.stop_reason = delta["stop_reason"]
            self._usage(payload.get("usage"), acc)
        elif kind == "message_stop":
            acc.finished = True
        elif kind == "error":
            self._raise(payload)
        # ping carries nothing to keep.

    def _block_start(self, payload: dict[str, Any], acc: StreamAccumulator) -> None:
        index = _index(payload.get("index"), "content_block_start.index", self.provider)
        block = obj(
            payload.get("content_block"), "content_block_start.content_block", self.provider
        )
        kind = block.get("type")
        exchange: AnthropicExchange = acc.exchange
        exchange.kinds[index] = kind
        if kind == "tool_use":
            # arguments follow as input_json_delta; a whole input is kept for block stop
            acc.tool_call(index, call_id=block.get("id"), name=block.get("name"))
            if block.get("input"):
                exchange.tool_inputs[index] = _dump(block["input"])
        else:
            _open_content_block(block, index, acc)

    def _delta(self, payload: dict[str, Any], acc: StreamAccumulator) -> None:
        index = _index(payload.get("index"), "content_block_delta.index", self.provider)
        delta = obj(payload.get("delta"), "content_block_delta.delta", self.provider)
        kind = delta.get("type")
        if kind == "text_delta":
            acc.text(delta.get("text") or "", key=index)
        elif kind == "thinking_delta":
            acc.thinking(delta.get("thinking") or "", key=index)
        elif kind == "signature_delta":
            acc.thinking("", key=index, signature=delta.get("signature") or "")
        elif kind == "input_json_delta":
            exchange: AnthropicExchange = acc.exchange
            if exchange.kinds.get(index) != "tool_use":
                return  # arguments of a server-side tool
            exchange.tool_inputs.pop(index, None)
            acc.tool_call(index, arguments=delta.get("partial_json") or "")

    @staticmethod
    def _usage(usage: Any, acc: StreamAccumulator) -> None:
        """Usage from message_start, then message_delta (cumulative, so it replaces).
        ``input_tokens`` is the whole prompt: uncached + cache reads + cache writes."""
        if not isinstance(usage, dict):
            return
        seen: dict[str, int] = acc.exchange.usage
        seen.update({k: v for k, v in usage.items() if isinstance(v, int)})
        read = seen.get("cache_read_input_tokens") or 0
        written = seen.get("cache_creation_input_tokens") or 0
        uncached = seen.get("input_tokens")
        acc.usage(
            input_tokens=None if uncached is None else uncached + read + written,
            output_tokens=seen.get("output_tokens"),
            cache_read_input_tokens=read,
            cache_creation_input_tokens=written,
        )

    def _raise(self, payload: dict[str, Any]) -> None:
        raise self.errors.error(payload, provider=self.provider, fallback="error event in stream")


def _history_allows_thinking(messages: list[dict[str, Any]]) -> bool:
    """False when the last assistant turn calls tools without starting with a thinking
    block: with thinking on, Anthropic rejects such a turn (it came from elsewhere)."""
    for message in reversed(messages):
        if message.get("role") != "assistant":
            continue
        content = message.get("content")
        if not isinstance(content, list):
            return True
        calls = any(b.get("type") == "tool_use" for b in content)
        first = content[0].get("type") if content else None
        return not calls or first in ("thinking", "redacted_thinking")
    return True


def _dump(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value if value is not None else {}, ensure_ascii=False)


def _open_content_block(block: dict[str, Any], index: Any, acc: StreamAccumulator) -> None:
    """A text, thinking or redacted-thinking block, as a whole response holds it or a
    stream's content_block_start opens it. Other kinds (server tools and their results)
    are the server's own business and are not kept."""
    kind = block.get("type")
    if kind == "text":
        acc.text(block.get("text") or "", key=index)
    elif kind == "thinking":
        acc.thinking(
            block.get("thinking") or "",
            key=index,
            signature=block.get("signature") or None,
            extra=_EXTRA,
        )
    elif kind == "redacted_thinking":
        acc.redacted_thinking(block.get("data") or "", key=index, extra=_EXTRA)


def _index(value: Any, path: str, provider: str) -> Any:
    """A content block's index (a number; absent on some proxies' single-block streams)."""
    if value is None or (isinstance(value, int | str) and not isinstance(value, bool)):
        return value
    raise wrong(path, value, "a number", provider)
