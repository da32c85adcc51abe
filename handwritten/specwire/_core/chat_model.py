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
from .errors import BadRequestError, InvalidInputError, StructuredOutputError
from .json_repair import parse_json_object
from .messages import Msg, UserMsg
from .response import ChatResponse, ChatUsage, StructuredResponse
from .telemetry import chat_request_attributes, traced_chat_call

if TYPE_CHECKING:
    from .._cards import ModelCard
    from .._formatters.base import FormatterBase

STRUCTURED_TOOL_NAME = "generate_structured_output"
_MODES = ("forced tool call", "tool offered with an instruction", "JSON asked for as text")


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
        ``ChatResponse``. Messages, tools and ``tool_choice`` are checked first."""
        checked = check_messages(messages)
        check_tools(tools, tool_choice)
        if stream is not None:
            kwargs["stream"] = stream
        self._check_call_parameters(kwargs)
        return await self._traced_call(self.model, checked, tools, tool_choice, **kwargs)

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
        messages = check_messages(messages)
        if isinstance(structured_model, dict):
            _check_schema(structured_model)
        elif not (isinstance(structured_model, type) and issubclass(structured_model, BaseModel)):
            raise InvalidInputError(
                "structured_model must be a pydantic model class or a JSON schema dict, "
                f"got {type(structured_model).__name__}"
            )
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
        failures: list[BaseException] = []
        usage: ChatUsage | None = None
        for number, (tools, choice, instruction) in enumerate(attempts, 1):
            msgs = list(messages)
            if instruction:
                msgs.append(UserMsg(name="user", content=instruction))
            try:
                response = await self._traced_call(self.model, msgs, tools, choice, **kwargs)
            except BadRequestError as exc:
                # e.g. a forced tool_choice refused with thinking on
                exc.add_note(f"structured output attempt {number}: {_MODES[number - 1]}")
                failures.append(exc)
                continue
            if not isinstance(response, ChatResponse):
                # Streamed (some providers only think when streaming): keep the final chunk.
                final: ChatResponse | None = None
                async for chunk in response:
                    final = chunk
                if final is None:
                    failures.append(
                        StructuredOutputError(f"attempt {number}: the stream gave no final chunk")
                    )
                    continue
                response = final
            usage = response.usage
            raw = _structured_text(response)
            if raw is None:
                failures.append(
                    StructuredOutputError(
                        f"attempt {number} ({_MODES[number - 1]}): the model answered "
                        "without the structured call"
                    )
                )
                continue
            try:
                content = parse_json_object(raw)
                if isinstance(structured_model, type):
                    content = structured_model.model_validate(content).model_dump(mode="json")
                else:
                    _validate_against_schema(content, schema)
            except (ValueError, ValidationError) as exc:
                exc.add_note(f"structured output attempt {number}: {_MODES[number - 1]}")
                failures.append(exc)
                continue
            return StructuredResponse(content=content, usage=usage)
        reasons = "; ".join(
            f"{i}. {_MODES[i - 1]}: {type(e).__name__}: {_first_line(e)}"
            for i, e in enumerate(failures, 1)
        )
        raise StructuredOutputError(
            f"no valid structured output after {len(failures)} attempts: {reasons}", failures
        ) from (failures[-1] if failures else None)

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


def _check_schema(schema: dict[str, Any]) -> None:
    """Refuse, before any request, a schema that is not valid JSON Schema."""
    import jsonschema

    validator_cls = jsonschema.validators.validator_for(schema, jsonschema.Draft202012Validator)
    try:
        validator_cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InvalidInputError(
            f"the structured output schema is not valid: {exc.message}"
        ) from exc


def _validate_against_schema(content: dict[str, Any], schema: dict[str, Any]) -> None:
    """Validate ``content`` against the full JSON Schema (the schema's own draft, else
    2020-12); raise ``ValueError`` naming the first wrong path."""
    import jsonschema  # imported on first use: it is slow to load

    validator_cls = jsonschema.validators.validator_for(schema, jsonschema.Draft202012Validator)
    try:
        validator_cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InvalidInputError(
            f"the structured output schema is not valid: {exc.message}"
        ) from exc
    error = jsonschema.exceptions.best_match(validator_cls(schema).iter_errors(content))
    if error is not None:
        path = "".join(f"[{p!r}]" for p in error.absolute_path) or "(the whole object)"
        raise ValueError(f"structured output does not match the schema at {path}: {error.message}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else "(no message)"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_messages(messages: object) -> list[Msg]:
    """``messages`` as a list, refused (naming what was given) unless it is a non-empty
    sequence of ``Msg``: every chat API needs at least one message."""
    if isinstance(messages, Msg):
        raise InvalidInputError(
            f"messages must be a list of Msg, got one {type(messages).__name__}: wrap it in a list"
        )
    if isinstance(messages, str | bytes | dict) or not isinstance(messages, Sequence):
        raise InvalidInputError(
            f"messages must be a list of Msg (UserMsg, AssistantMsg, SystemMsg...), "
            f"got {type(messages).__name__} {_shown(messages)}"
        )
    out = list(messages)
    if not out:
        raise InvalidInputError("messages is empty: a chat call needs at least one message")
    for position, message in enumerate(out):
        if not isinstance(message, Msg):
            raise InvalidInputError(
                f"messages[{position}] must be a Msg (UserMsg, AssistantMsg, SystemMsg...), "
                f"got {type(message).__name__} {_shown(message)}"
            )
    return out


def check_tools(tools: object, tool_choice: object) -> None:
    """Refuse tools that are not function schemas, and a ``tool_choice`` that names a
    tool not given (or asks for a tool when none is given)."""
    from .._dialects.tools import function_tools
    from .._dialects.tools import tool_choice as read_choice

    if tools is not None and not isinstance(tools, list):
        raise InvalidInputError(
            f"tools must be a list of function schemas, got {type(tools).__name__}"
        )
    try:
        names = [t.name for t in function_tools(tools)]
        choice = read_choice(tool_choice)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    if choice is None:
        return
    if choice.mode == "function" and choice.name not in names:
        given = ", ".join(names) if names else "none"
        raise InvalidInputError(
            f"tool_choice names the tool {choice.name!r}, which is not among the tools "
            f"given ({given})"
        )
    if choice.mode == "required" and not names:
        raise InvalidInputError("tool_choice='required' needs tools, and none were given")
