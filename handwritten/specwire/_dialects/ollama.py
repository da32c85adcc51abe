"""Ollama's native chat API: ``POST {host}/api/chat``, NDJSON streams.

The server streams unless the body says ``"stream": false``, so the switch is always sent.
Each line is a whole object: ``message.content`` / ``message.thinking`` deltas, tool calls
as complete objects (arguments as a JSON object, not a string), and a final line with
``done: true`` carrying the token counts. Errors arrive as ``{"error": "..."}``, either as
an HTTP error body or as a line in the middle of a stream.

Generation parameters go under ``options`` (``x-wire: options.*`` in the spec); the
``think`` switch and ``keep_alive`` sit at the top level.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from .._core.accumulator import StreamAccumulator
from .._core.dialect import ChatCall, ChatDialect, WireRequest
from .._core.error_body import OLLAMA_ERRORS, ErrorFormat
from .._core.errors import ServerError, StreamBrokenError
from .._core.reading import obj, objects
from .._formatters.ollama import OllamaChatFormatter, OllamaMultiAgentFormatter
from .tools import function_tools, openai_function_tools, tool_choice


@dataclass(slots=True)
class OllamaExchange:
    """What one response or stream remembers between lines."""

    calls: int = 0
    """Tool calls seen; each whole call gets the next number as its block key."""


class OllamaChatDialect(ChatDialect):
    """``/api/chat`` requests, responses and NDJSON stream lines."""

    name = "ollama"
    formatter_class = OllamaChatFormatter
    multi_agent_formatter_class = OllamaMultiAgentFormatter
    error_format: ClassVar[ErrorFormat] = OLLAMA_ERRORS
    extra_location: ClassVar[tuple[str, ...]] = ("options",)
    Exchange = OllamaExchange
    finish_reasons = {"stop": "stop", "length": "length"}  # load, unload: other
    completion_signal = "a line with done: true"

    # ------------------------------------------------------------------ request
    def build_request(self, call: ChatCall) -> WireRequest:
        body: dict[str, Any] = {"model": call.model, "messages": call.messages}
        body.update(self.endpoint.fixed_body)
        body["stream"] = call.stream
        tools = function_tools(call.tools)
        choice = tool_choice(call.tool_choice)
        # Ollama has no tool_choice: "none" withholds the tools, a named function is
        # the only one offered; "required" cannot be enforced and stays a plain offer.
        if choice is not None and choice.mode == "none":
            tools = []
        elif choice is not None and choice.mode == "function":
            tools = [t for t in tools if t.name == choice.name] or tools
        if tools:
            body["tools"] = openai_function_tools(tools)
        params = dict(call.parameters)
        if params.get("reasoning_effort") is not None:
            params.pop("thinking_enable", None)  # both set `think`; the level is more specific
        self.apply_parameters(body, params)
        return WireRequest(self.endpoint.path, body)

    # ------------------------------------------------------------------ response
    def on_response(self, body: Any, acc: StreamAccumulator) -> None:
        if not isinstance(body, dict):
            raise ServerError(
                f"unexpected response body: {str(body)[:200]}", provider=self.provider
            )
        if body.get("error"):
            raise self.errors.error(body, provider=self.provider)
        self._feed(body, acc)

    def on_event(self, event: str | None, payload: Any, acc: StreamAccumulator) -> None:
        if not isinstance(payload, dict):
            return
        if payload.get("error"):
            # Mid-stream failures (the runner crashed, the context overflowed...) come
            # as a line of their own after a 200 status.
            raise self.errors.error(payload, provider=self.provider, default=StreamBrokenError)
        self._feed(payload, acc)

    def _feed(self, item: dict[str, Any], acc: StreamAccumulator) -> None:
        message = obj(item.get("message"), "message", self.provider)
        thinking = message.get("thinking")
        if isinstance(thinking, str) and thinking:
            acc.thinking(thinking)
        content = message.get("content")
        if isinstance(content, str) and content:
            acc.text(content)
        for call in objects(message.get("tool_calls"), "message.tool_calls", self.provider):
            self._tool_call(call, acc)
        if item.get("done"):
            acc.finished = True
            acc.stop_reason = item.get("done_reason")
            acc.usage(
                input_tokens=item.get("prompt_eval_count"),
                output_tokens=item.get("eval_count"),
            )

    @staticmethod
    def _tool_call(call: dict[str, Any], acc: StreamAccumulator) -> None:
        # Calls arrive whole, one object each (never split across lines), so each gets a
        # key of its own; ids are the server's when it sends them, else the accumulator's.
        exchange: OllamaExchange = acc.exchange
        exchange.calls = position = exchange.calls + 1
        fn = call.get("function") or {}
        args = fn.get("arguments")
        if not isinstance(args, str):
            args = json.dumps(args if args is not None else {}, ensure_ascii=False)
        acc.tool_call(position, call_id=call.get("id") or None, name=fn.get("name"), arguments=args)
