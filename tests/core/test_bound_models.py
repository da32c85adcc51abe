"""One bound-model base: every generated model class, whatever its family, checks its
arguments the same way, binds endpoint, dialect, transport and retry policy the same way,
and supports ``async with`` and ``aclose()``."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from specwire._core.bound import BoundModel, ModelLifecycle
from specwire._core.contract import Dialect
from specwire._core.retry import RetryPolicy
from specwire._generated.registry import PROVIDERS
from specwire._testing import LoopbackServer, Reply
from specwire.credential import OpenAICredential
from specwire.message import UserMsg
from specwire.model import ChatModelBase, OpenAIChatModel

PUBLIC_MODULE = {"chat": "specwire.model", "embedding": "specwire.embedding", "tts": "specwire.tts"}
CLASSES = [
    (provider, family, name)
    for provider, entry in PROVIDERS.items()
    for family in PUBLIC_MODULE
    for name in entry[family]  # type: ignore[attr-defined]
]


def build(provider: str, family: str, name: str, **kwargs: Any) -> Any:
    credential_name = str(PROVIDERS[provider]["credential"])
    credential_cls = getattr(importlib.import_module("specwire.credential"), credential_name)
    fields = credential_cls.model_fields
    secret = {"api_key": "sk-test"} if "api_key" in fields else {}
    model_cls = getattr(importlib.import_module(PUBLIC_MODULE[family]), name)
    return model_cls(credential=credential_cls(**secret), model="some-model", **kwargs)


@pytest.mark.parametrize(("provider", "family", "name"), CLASSES)
async def test_every_generated_model_is_bound_the_same_way(
    provider: str, family: str, name: str
) -> None:
    model = build(provider, family, name, max_retries=1)
    assert isinstance(model, BoundModel) and isinstance(model, ModelLifecycle)
    assert isinstance(model._retry, RetryPolicy) and model._retry.max_retries == 1
    assert model._retry.statuses == model.binding.retry_statuses
    assert isinstance(model._dialect if hasattr(model, "_dialect") else model._wire, Dialect)
    await model.aclose()
    await model.aclose()  # closing twice is harmless
    with pytest.raises(ValueError, match="max_retries must be >= 0"):
        build(provider, family, name, max_retries=-1)
    with pytest.raises(ValueError, match="model must be a non-empty model name"):
        type(model)(credential=model.credential, model="")


@pytest.mark.parametrize(
    ("provider", "family", "name"), [c for c in CLASSES if "Realtime" not in c[2]]
)
async def test_every_http_model_works_as_an_async_context_manager(
    provider: str, family: str, name: str
) -> None:
    async with build(provider, family, name) as model:
        assert model._http is not None
    assert model._transport._client is None  # closed on exit


async def test_a_closed_chat_model_opens_new_connections_when_used_again() -> None:
    reply = {"choices": [{"index": 0, "message": {"content": "ok"}, "finish_reason": "stop"}]}
    async with LoopbackServer([Reply.json(reply), Reply.json(reply)]) as server:
        credential = OpenAICredential(api_key="k", base_url=server.url)
        async with OpenAIChatModel(credential=credential, model="m", stream=False) as model:
            await model([UserMsg(name="user", content="a")])
        await model([UserMsg(name="user", content="b")])
        await model.aclose()
        assert len(server.requests) == 2


async def test_a_hand_written_chat_model_has_the_lifecycle_too() -> None:
    class Echo(ChatModelBase):
        async def _call_api(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

    async with Echo(credential=OpenAICredential(api_key="k"), model="echo") as model:
        assert model.model == "echo"
    await model.aclose()
