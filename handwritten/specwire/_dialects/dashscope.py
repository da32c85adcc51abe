"""DashScope's native protocol (Alibaba Cloud Model Studio).

``POST {base}/services/aigc/text-generation/generation`` for text models and
``.../multimodal-generation/generation`` for vision, omni and natively multimodal models,
with ``{"model", "input": {"messages"}, "parameters": {...}}``. Streams are SSE, asked for
with the ``X-DashScope-SSE: enable`` header (spec ``stream.headers``) and made incremental
with ``parameters.incremental_output``; every event carries the running usage. Failures
come as ``{"code", "message", "request_id"}`` bodies, or as ``event:error`` inside a
stream, and are mapped to typed errors by their code.

Spec options: ``DashScopeChatOptions``.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any, ClassVar

from .._core.accumulator import StreamAccumulator
from .._core.contract import DialectOptions
from .._core.dialect import ChatCall, ChatDialect, WireRequest
from .._core.error_body import DASHSCOPE_ERRORS, ErrorFormat
from .._core.errors import ProviderError, ServerError, StreamBrokenError
from .._core.reading import obj, objects
from .._formatters.dashscope import DashScopeChatFormatter, DashScopeMultiAgentFormatter
from .media_output import dashscope_audio_part
from .tools import function_tools, openai_function_tools, tool_choice

_MEDIA_KEYS = ("image", "video", "audio")


class DashScopeChatOptions(DialectOptions):
    """What a spec says to the native DashScope dialect."""

    multimodal_path: str | None = None
    """The multimodal endpoint's path (None: every request goes to ``endpoint.path``)."""
    multimodal_models: tuple[str, ...] = ()
    """fnmatch patterns (case-insensitive) of the models the multimodal endpoint serves;
    a request whose messages carry images, video or audio goes there as well."""


class DashScopeChatDialect(ChatDialect):
    """Native DashScope generation requests, responses and stream events."""

    name = "dashscope"
    Options: ClassVar[type[DialectOptions]] = DashScopeChatOptions
    options: DashScopeChatOptions
    error_format: ClassVar[ErrorFormat] = DASHSCOPE_ERRORS
    extra_location: ClassVar[tuple[str, ...]] = ("parameters",)
    formatter_class = DashScopeChatFormatter
    multi_agent_formatter_class = DashScopeMultiAgentFormatter
    finish_reasons = {"stop": "stop", "length": "length", "tool_calls": "tool_calls"}
    completion_signal = "a final finish_reason (not null)"

    # ------------------------------------------------------------------ request
    def build_request(self, call: ChatCall) -> WireRequest:
        multimodal = self._wants_multimodal(call)
        messages = [_multimodal_message(m) for m in call.messages] if multimodal else call.messages
        parameters: dict[str, Any] = {"result_format": "message"}
        if call.stream:
            parameters["incremental_output"] = True
        tools = function_tools(call.tools)
        if tools:
            parameters["tools"] = openai_function_tools(tools)
        choice = tool_choice(call.tool_choice)
        if choice is not None:
            parameters["tool_choice"] = self._tool_choice(choice.mode, choice.name, tools)
        params = dict(call.parameters)
        if not tools:
            params.pop("parallel_tool_calls", None)  # only meaningful with tools
        # x-wire paths of DashScope parameters are relative to the `parameters` object.
        self.apply_parameters(parameters, params)
        body: dict[str, Any] = {"model": call.model, "input": {"messages": messages}}
        body.update(self.endpoint.fixed_body)
        body["parameters"] = {**body.get("parameters", {}), **parameters}
        path = self.options.multimodal_path if multimodal else None
        return WireRequest(path or self.endpoint.path, body)

    def _wants_multimodal(self, call: ChatCall) -> bool:
        name = call.model.lower()
        if any(fnmatchcase(name, p.lower()) for p in self.options.multimodal_models):
            return True
        return any(
            isinstance(part, dict) and any(k in part for k in _MEDIA_KEYS)
            for message in call.messages
            if isinstance(message.get("content"), list)
            for part in message["content"]
        )

    @staticmethod
    def _tool_choice(mode: str, name: str | None, tools: list[Any]) -> Any:
        if mode == "function":
            return {"type": "function", "function": {"name": name}}
        if mode == "required":
            # DashScope documents auto, none and a named function; "required" with one
            # tool is that tool, with several the model is left to choose.
            if len(tools) == 1:
                return {"type": "function", "function": {"name": tools[0].name}}
            return "auto"
        return mode

    # ------------------------------------------------------------------ response
    def on_response(self, body: Any, acc: StreamAccumulator) -> None:
        if not isinstance(body, dict):
            raise ServerError(
                f"unexpected response body: {str(body)[:200]}", provider=self.provider
            )
        if body.get("code") and not body.get("output"):
            raise self._error(body, ServerError)
        self._feed(body, acc)

    def on_event(self, event: str | None, payload: Any, acc: StreamAccumulator) -> None:
        if not isinstance(payload, dict):
            return
        if event == "error" or (payload.get("code") and not payload.get("output")):
            raise self._error(payload, StreamBrokenError)
        self._feed(payload, acc)

    def _feed(self, item: dict[str, Any], acc: StreamAccumulator) -> None:
        output = obj(item.get("output"), "output", self.provider)
        choices = output.get("choices")
        if choices:
            choice = obj(
                objects(choices, "output.choices", self.provider)[0],
                "output.choices[0]",
                self.provider,
            )
            message = obj(choice.get("message"), "output.choices[0].message", self.provider)
            reasoning = message.get("reasoning_content")
            if isinstance(reasoning, str) and reasoning:
                acc.thinking(reasoning)
            text = _text_of(message.get("content"))
            if text:
                acc.text(text)
            _media_parts(message.get("content"), acc)
            calls = objects(
                message.get("tool_calls"), "output.choices[0].message.tool_calls", self.provider
            )
            for position, call in enumerate(calls):
                self._tool_call(position, call, acc)
            self._stop(choice.get("finish_reason"), acc)
        elif isinstance(output.get("text"), str):  # result_format "text" (older callers)
            if output["text"]:
                acc.text(output["text"])
            self._stop(output.get("finish_reason"), acc)
        usage = item.get("usage")
        if isinstance(usage, dict):
            details = usage.get("prompt_tokens_details") or {}
            out_details = usage.get("output_tokens_details") or {}
            acc.usage(
                input_tokens=usage.get("input_tokens"),
                output_tokens=usage.get("output_tokens"),
                cache_read_input_tokens=details.get("cached_tokens"),
                reasoning_tokens=out_details.get("reasoning_tokens"),
            )

    @staticmethod
    def _tool_call(position: int, call: dict[str, Any], acc: StreamAccumulator) -> None:
        # Streamed calls are keyed by index; later fragments repeat the index with an
        # empty id and no name.
        index = call.get("index", position)
        fn = call.get("function") or {}
        args = fn.get("arguments")
        if args is not None and not isinstance(args, str):
            args = json.dumps(args, ensure_ascii=False)
        acc.tool_call(
            index, call_id=call.get("id") or None, name=fn.get("name") or None, arguments=args or ""
        )

    @staticmethod
    def _stop(reason: Any, acc: StreamAccumulator) -> None:
        if isinstance(reason, str) and reason and reason != "null":  # "null" means running
            acc.stop_reason = reason
            acc.finished = True

    def _error(self, payload: dict[str, Any], default: type[ProviderError]) -> ProviderError:
        return self.errors.error(
            payload, provider=self.provider, default=default, fallback="error reported by DashScope"
        )


def _text_of(content: Any) -> str:
    """Text of a message's content: a string, or (multimodal) a list of ``{"text"}``."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p["text"] for p in content if isinstance(p, dict) and p.get("text"))
    return ""


def _media_parts(content: Any, acc: StreamAccumulator) -> None:
    """Audio parts of a message's content (Qwen-Omni speech output): one audio block per
    answer, streamed pieces appended (a chunk's part position varies with what else it
    carries, so it is not the key)."""
    if isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and part.get("audio"):
                dashscope_audio_part(acc, part["audio"], 0)


def _multimodal_message(message: dict[str, Any]) -> dict[str, Any]:
    """The multimodal endpoint takes content only as a list of ``{"text"}``/``{"image"}``..."""
    content = message.get("content")
    if isinstance(content, list):
        return message
    converted = dict(message)
    converted["content"] = [{"text": content}] if content else []
    return converted
