"""Error bodies read by spec data: each provider's shape, its codes' classes, and the rule
that a decisive HTTP status beats any body code while an in-stream error's own status
counts."""

from __future__ import annotations

from typing import Any

import pytest

from specwire._core.contract import Dialect
from specwire._core.error_body import ErrorFields, ErrorFormat
from specwire._core.errors import ProviderError
from specwire._dialects import load_dialect
from specwire._testing import LoopbackServer, Reply
from specwire.credential import DeepSeekCredential, OpenAICredential
from specwire.errors import (
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamBrokenError,
)
from specwire.message import UserMsg
from specwire.model import (
    AnthropicChatModel,
    DashScopeChatModel,
    DeepSeekChatModel,
    GeminiChatModel,
    OllamaChatModel,
    OpenAIChatModel,
)

HELLO = [UserMsg(name="user", content="hi")]


def errors_of(model_class: Any, base_url: str = "https://example.invalid/v1") -> ErrorFormat:
    """The error format a model class's endpoint reads bodies with (dialect default
    plus the spec's ``errors``)."""
    endpoint = model_class.binding.endpoint_for(base_url)
    dialect = load_dialect(endpoint.dialect, Dialect)
    return dialect(endpoint, model_class.binding.wire_params, "test").errors


# body, model class, HTTP status (None: an in-stream event), class, code, message, status
SHAPES: list[tuple[str, Any, Any, int | None, type[ProviderError], str, str, int | None]] = [
    (
        "OpenAI error.{message,type,code}",
        {"error": {"message": "Slow down", "type": "requests", "code": "rate_limit_exceeded"}},
        OpenAIChatModel,
        None,
        RateLimitError,
        "rate_limit_exceeded",
        "Slow down",
        None,
    ),
    (
        "OpenAI type when the code is null",
        {"error": {"message": "bad temperature", "type": "invalid_request_error", "code": None}},
        OpenAIChatModel,
        None,
        BadRequestError,
        "invalid_request_error",
        "bad temperature",
        None,
    ),
    (
        "Groq error.status_code in a stream",
        {
            "error": {
                "message": "Failed to call a function.",
                "type": "invalid_request_error",
                "code": "tool_use_failed",
                "status_code": 400,
            }
        },
        OpenAIChatModel,
        None,
        BadRequestError,
        "tool_use_failed",
        "Failed to call a function.",
        400,
    ),
    (
        "DashScope code/message, a dotted code's family",
        {"code": "Throttling.AllocationQuota", "message": "quota", "request_id": "r-1"},
        DashScopeChatModel,
        None,
        RateLimitError,
        "Throttling.AllocationQuota",
        "quota",
        None,
    ),
    (
        "DashScope content inspection",
        {"code": "DataInspectionFailed", "message": "inappropriate content"},
        DashScopeChatModel,
        400,
        ContentFilterError,
        "DataInspectionFailed",
        "inappropriate content",
        400,
    ),
    (
        "Gemini error.status, ErrorInfo reason beating a 400",
        {
            "error": {
                "code": 400,
                "message": "API key not valid.",
                "status": "INVALID_ARGUMENT",
                "details": [{"@type": "google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
            }
        },
        GeminiChatModel,
        400,
        AuthenticationError,
        "API_KEY_INVALID",
        "API key not valid.",
        400,
    ),
    (
        "Gemini in-stream status",
        {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}},
        GeminiChatModel,
        None,
        ServerError,
        "UNAVAILABLE",
        "overloaded",
        503,
    ),
    (
        "Anthropic error.type",
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        AnthropicChatModel,
        None,
        ServerError,
        "overloaded_error",
        "Overloaded",
        None,
    ),
    (
        "Anthropic permission type at a 400-class status the table does not decide",
        {"type": "error", "error": {"type": "permission_error", "message": "no"}},
        AnthropicChatModel,
        400,
        PermissionDeniedError,
        "permission_error",
        "no",
        400,
    ),
    (
        "Ollama error string",
        {"error": "model 'nope' not found"},
        OllamaChatModel,
        404,
        NotFoundError,
        "",
        "model 'nope' not found",
        404,
    ),
]


@pytest.mark.parametrize(
    ("body", "model_class", "http_status", "cls", "code", "message", "status"),
    [s[1:] for s in SHAPES],
    ids=[s[0] for s in SHAPES],
)
def test_each_provider_shape_is_read_by_its_spec(
    body: Any,
    model_class: Any,
    http_status: int | None,
    cls: type[ProviderError],
    code: str,
    message: str,
    status: int | None,
) -> None:
    error = errors_of(model_class).error(body, provider="p", http_status=http_status)
    assert type(error) is cls
    assert (error.code or "", error.message, error.status) == (code, message, status)


@pytest.mark.parametrize("status", [401, 403, 404, 429])
def test_a_decisive_status_beats_any_body_code(status: int) -> None:
    errors = errors_of(OpenAIChatModel)
    body = {"error": {"message": "m", "type": "server_error", "code": "content_filter"}}
    error = errors.error(body, provider="p", http_status=status)
    expected = {
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        429: RateLimitError,
    }
    assert type(error) is expected[status] and error.code == "content_filter"
    # the same body in a stream (no status) is refined by its code
    assert type(errors.error(body, provider="p")) is ContentFilterError


def test_a_spec_overrides_paths_and_adds_classes() -> None:
    base = ErrorFormat(message=("error.message",), code=("error.code",))
    spec = base.override(
        {"message": "detail", "status": ["meta.http", "status"], "classes": {"E42": "ServerError"}}
    )
    fields = spec.read({"detail": "boom", "meta": {"http": "418"}, "error": {"code": "e42"}})
    assert fields == ErrorFields(message="boom", code="e42", status=418)
    assert spec.class_for(fields, None, StreamBrokenError) is ServerError
    assert spec.class_for(ErrorFields(status=418), None, StreamBrokenError) is BadRequestError
    assert spec.class_for(ErrorFields(), None, StreamBrokenError) is StreamBrokenError
    with pytest.raises(ValueError, match="unknown error classes"):
        base.override({"classes": {"x": "TeapotError"}})


async def test_deepseek_401_with_a_request_error_code_is_an_authentication_error() -> None:
    body = {
        "error": {
            "message": "Authentication Fails, Your api key: ****-key is invalid",
            "type": "authentication_error",
            "param": None,
            "code": "invalid_request_error",
        }
    }
    async with LoopbackServer([Reply.json(body, status=401)]) as server:
        model = DeepSeekChatModel(
            credential=DeepSeekCredential(api_key="sk-bad-key", base_url=server.url),
            model="deepseek-chat",
            stream=False,
            max_retries=0,
        )
        with pytest.raises(AuthenticationError) as info:
            await model(HELLO)
    assert info.value.status == 401 and info.value.code == "invalid_request_error"
    assert "sk-bad-key" not in str(info.value)


async def test_a_stream_error_event_stating_400_is_a_bad_request() -> None:
    events = [
        {"choices": [{"index": 0, "delta": {"content": "Hi"}}]},
        {
            "error": {
                "message": "Failed to call a function. Please adjust your prompt.",
                "type": "invalid_request_error",
                "code": "tool_use_failed",
                "status_code": 400,
            }
        },
    ]
    async with LoopbackServer([Reply.sse(events, done=False)]) as server:
        model = OpenAIChatModel(
            credential=OpenAICredential(api_key="k", base_url=server.url + "/openai/v1"),
            model="llama-3.3-70b-versatile",
            max_retries=0,
        )
        with pytest.raises(BadRequestError) as info:
            async for _ in await model(HELLO):
                pass
    assert (info.value.status, info.value.code) == (400, "tool_use_failed")
