"""The chat model base: constructor and call semantics shared by every chat model."""

from __future__ import annotations

import builtins
import json
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

from pydantic import BaseModel, ConfigDict, ValidationError

from .._ratelimit.model import RateLimited
from .blocks import TextBlock, ToolCallBlock
from .bound import ModelLifecycle, check_model_arguments
from .credential import CredentialBase
from .errors import BadRequestError, StructuredOutputError
from .json_repair import parse_json_object
from .messages import Msg, UserMsg
from .response import ChatResponse, ChatUsage, StructuredResponse
from .telemetry import chat_request_attributes, traced_chat_call

if TYPE_CHECKING:
    from .._cards import ModelCard
    from .._formatters.base import FormatterBase

STRUCTURED_TOOL_NAME = "generate_structured_output"


class NoParameters(BaseModel):
    """The parameters of a model that takes none."""

    model_config = ConfigDict(extra="forbid")


class ChatModelBase(RateLimited, ModelLifecycle, ABC):
    """A chat model: ``await model(messages, tools=None, tool_choice=None, **kwargs)``.

    With ``stream=False`` the call returns one ``ChatResponse``; with ``stream=True`` an
    async generator of delta chunks (``is_last=False``) and then exactly one final chunk
    (``is_last=True``) carrying the whole accumulated content and the usage.
    """

    Parameters: builtins.type[BaseModel] = NoParameters
    """Provider-specific parameters (a pydantic model); subclasses replace it."""
    type: str = "chat_model"
    cards_dir: ClassVar[str | None] = None
    """A folder of YAML cards (the reference's ``_models/``), for hand-written models."""

    def __init__(
        self,
        credential: CredentialBase,
        model: str,
        parameters: BaseModel | None = None,
        stream: bool = True,
        max_retries: int = 3,
        context_size: int = 128000,
        formatter: FormatterBase | None = None,
    ) -> None:
        check_model_arguments(model, max_retries)
        self.credential = credential
        self.model = model
        self.parameters = parameters if parameters is not None else self.Parameters()
        from .._cards import check_parameters_against_card

        # a parameter the model's card removes is refused here (no-op without a card)
        check_parameters_against_card(type(self), model, self.parameters)
        self.stream = stream
        self.max_retries = max_retries
        self.context_size = context_size
        if formatter is not None:
            self.formatter = formatter

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, stream={self.stream})"

    # A per-call ``stream=True``/``False`` is what type checkers can follow (as in the
    # provider SDKs); the constructor's ``stream`` decides at run time only, so a call
    # without ``stream=`` is typed as either answer.
    @overload
    async def __call__(
        self,
        messages: Sequence[Msg],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        *,
        stream: Literal[True],
        **kwargs: Any,
    ) -> AsyncGenerator[ChatResponse, None]: ...
    @overload
    async def __call__(
        self,
        messages: Sequence[Msg],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        *,
        stream: Literal[False],
        **kwargs: Any,
    ) -> ChatResponse: ...
    @overload
    async def __call__(
        self,
        messages: Sequence[Msg],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        *,
        stream: bool | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]: ...
    async def __call__(
        self,
        messages: Sequence[Msg],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        *,
        stream: bool | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Call the model: ``stream=True`` (per call, or the constructor's default) gives
        an async generator of delta chunks and one final chunk; ``stream=False`` one
        ``ChatResponse``."""
        if stream is not None:
            kwargs["stream"] = stream
        self._check_call_parameters(kwargs)
        return await self._traced_call(self.model, list(messages), tools, tool_choice, **kwargs)

    async def _traced_call(
        self,
        model_name: str,
        messages: list[Msg],
        tools: list[dict[str, Any]] | None,
        tool_choice: Any,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """``_call_api`` inside an OpenTelemetry span when the application set a
        provider (every chat model, hand-written ones too); a plain call otherwise."""
        binding = getattr(type(self), "binding", None)

        def attributes() -> dict[str, Any]:
            fields = type(self.parameters).model_fields
            chosen = {
                **self.parameters.model_dump(exclude_none=True),
                **{k: v for k, v in kwargs.items() if k in fields and v is not None},
            }
            stream = bool(kwargs.get("stream", self.stream))
            return chat_request_attributes(chosen, stream, messages, tools)

        result: ChatResponse | AsyncGenerator[ChatResponse, None] = await traced_chat_call(
            lambda: self._call_api(model_name, messages, tools, tool_choice, **kwargs),
            provider=binding.provider if binding is not None else type(self).__name__,
            model=model_name,
            credential=self.credential,
            attributes=attributes,
        )
        return result

    def _check_call_parameters(self, kwargs: dict[str, Any]) -> None:
        """Refuse keyword overrides of ``Parameters`` fields the model's card removes."""
        fields = type(self.parameters).model_fields
        overrides = {k: v for k, v in kwargs.items() if k in fields}
        if overrides:
            from .._cards import check_parameters_against_card

            check_parameters_against_card(type(self), self.model, overrides)

    @abstractmethod
    async def _call_api(
        self,
        model_name: str,
        messages: list[Msg],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Send one call to the provider."""

    # ----------------------------------------------------------- structured output
    async def generate_structured_output(
        self,
        messages: Sequence[Msg],
        structured_model: builtins.type[BaseModel] | dict[str, Any],
        **kwargs: Any,
    ) -> StructuredResponse:
        """Ask for a JSON object valid for ``structured_model`` (a pydantic model or a
        JSON schema): a forced tool call built from the schema, validated and repaired.
        Where the provider refuses a forced tool call (e.g. with thinking on), the tool
        is offered with ``tool_choice="auto"`` and an instruction, and finally the JSON
        is asked for as text."""
        from .tool_schema import tool_schema

        # the same builder as specwire.tool.tool_schema, under a fixed name
        tool = tool_schema(
            structured_model,
            name=STRUCTURED_TOOL_NAME,
            description="Return the requested information as the arguments of this call.",
        )
        schema: dict[str, Any] = tool["function"]["parameters"]
        attempts: list[tuple[list[dict[str, Any]] | None, Any, str | None]] = [
            ([tool], STRUCTURED_TOOL_NAME, None),
            ([tool], "auto", f"Call the tool {STRUCTURED_TOOL_NAME} with your answer."),
            (
                None,
                None,
                "Answer with only a JSON object valid for this JSON schema:\n"
                + json.dumps(schema, ensure_ascii=False),
            ),
        ]
        self._check_call_parameters(kwargs)
        last_error: Exception | None = None
        usage: ChatUsage | None = None
        for tools, choice, instruction in attempts:
            msgs = list(messages)
            if instruction:
                msgs.append(UserMsg(name="user", content=instruction))
            try:
                response = await self._traced_call(self.model, msgs, tools, choice, **kwargs)
            except BadRequestError as exc:
                last_error = exc  # e.g. forced tool_choice refused with thinking on
                continue
            if not isinstance(response, ChatResponse):
                # Streamed (some providers only think when streaming): keep the final chunk.
                final: ChatResponse | None = None
                async for chunk in response:
                    final = chunk
                if final is None:
                    last_error = StructuredOutputError("the stream ended without a final chunk")
                    continue
                response = final
            usage = response.usage
            raw = _structured_text(response)
            if raw is None:
                last_error = StructuredOutputError("the model answered without the structured call")
                continue
            try:
                content = parse_json_object(raw)
                if isinstance(structured_model, type):
                    content = structured_model.model_validate(content).model_dump(mode="json")
                else:
                    _validate_against_schema(content, schema)
            except (ValueError, ValidationError) as exc:
                last_error = exc
                continue
            return StructuredResponse(content=content, usage=usage)
        raise StructuredOutputError(f"no valid structured output: {last_error}") from last_error

    # ----------------------------------------------------------------- cards
    @classmethod
    def list_models(cls, custom_yaml_dir: str | None = None) -> list[ModelCard]:
        """The cards of this class's models (or of the YAML files in ``custom_yaml_dir``)."""
        from .._cards import list_cards

        return list_cards(cls, "chat", custom_yaml_dir)


def _structured_text(response: ChatResponse) -> str | None:
    for block in response.content:
        if isinstance(block, ToolCallBlock) and block.name == STRUCTURED_TOOL_NAME:
            return block.input
    for block in response.content:
        if isinstance(block, ToolCallBlock):
            return block.input
    texts = [b.text for b in response.content if isinstance(b, TextBlock)]
    return "".join(texts) if texts else None


def _validate_against_schema(content: dict[str, Any], schema: dict[str, Any]) -> None:
    missing = [k for k in schema.get("required", []) if k not in content]
    if missing:
        raise ValueError(f"structured output lacks required fields {missing}")
