"""Credentials a user interface can store: any credential (custom ones too) rebuilt from
its JSON by its ``type``; custom credentials registered so the catalog, the CLI and the
card browser list them; OpenAI's organization and project sent as headers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from pydantic import ConfigDict, Field, SecretStr

from specwire._cards.catalog import browser_data, iter_catalog
from specwire._cli import main
from specwire._core.credential_registry import unregister_credential
from specwire._testing import LoopbackServer, Reply
from specwire.credential import (
    CredentialBase,
    DashScopeCredential,
    OllamaCredential,
    OpenAICredential,
    credential_from_json,
    credential_to_json,
    register_credential,
)
from specwire.message import UserMsg
from specwire.model import OpenAIChatModel, OpenAIResponseModel


class AcmeCredential(CredentialBase):
    model_config = ConfigDict(title="Acme Inference")
    type: Literal["acme_credential"] = "acme_credential"
    api_key: SecretStr = Field(description="Acme key.")
    base_url: str = "https://api.acme.example/v1"

    @classmethod
    def get_chat_model_class(cls) -> Any:
        return OpenAIChatModel  # an OpenAI-compatible server


@pytest.fixture
def acme() -> Iterator[type[AcmeCredential]]:
    register_credential(AcmeCredential, provider="acme")
    yield AcmeCredential
    unregister_credential("acme")


def test_every_generated_credential_round_trips_through_json() -> None:
    stored = credential_to_json(OpenAICredential(api_key="sk-1", organization="org-9"))
    assert json.loads(stored)["api_key"] == "sk-1"  # the application protects the store
    again = credential_from_json(stored)
    assert isinstance(again, OpenAICredential) and again.api_key.get_secret_value() == "sk-1"
    assert again.organization == "org-9"
    for credential in (DashScopeCredential(api_key="k"), OllamaCredential()):
        rebuilt = credential_from_json(json.loads(credential_to_json(credential)))
        assert type(rebuilt) is type(credential) and rebuilt == credential


def test_a_registered_custom_credential_is_rebuilt_and_listed(
    acme: type[AcmeCredential], capsys: pytest.CaptureFixture[str]
) -> None:
    rebuilt = credential_from_json('{"type": "acme_credential", "api_key": "sk-acme"}')
    assert isinstance(rebuilt, AcmeCredential)
    providers = {e.provider for e in iter_catalog()}
    assert "acme" in providers
    data = browser_data(list(iter_catalog("acme")))
    (entry,) = data["providers"]
    assert entry["label"] == "Acme Inference" and entry["credential"] == "AcmeCredential"
    assert main(["models", "ACME", "--family", "chat"]) == 0
    assert "acme" in capsys.readouterr().out


def test_unknown_or_missing_types_are_clear_errors() -> None:
    with pytest.raises(
        ValueError, match=r"unknown credential type 'nope'; known: .*openai_credential"
    ):
        credential_from_json({"type": "nope"})
    with pytest.raises(ValueError, match="needs its `type`"):
        credential_from_json({"api_key": "k"})
    with pytest.raises(ValueError, match="built-in provider"):
        register_credential(AcmeCredential, provider="openai")


async def test_organization_and_project_headers_are_sent() -> None:
    body = {
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
        ]
    }
    async with LoopbackServer([Reply.json(body), Reply.json(body)]) as server:
        credential = OpenAICredential(
            api_key="sk-test", organization="org-1", project="proj-2", base_url=server.url
        )
        await OpenAIChatModel(credential=credential, model="m")(
            [UserMsg(name="u", content="hi")], stream=False
        )
        bare = OpenAICredential(api_key="sk-test", base_url=server.url)
        await OpenAIChatModel(credential=bare, model="m")(
            [UserMsg(name="u", content="hi")], stream=False
        )
        first, second = server.requests
    assert first.headers["openai-organization"] == "org-1"
    assert first.headers["openai-project"] == "proj-2"
    assert "openai-organization" not in second.headers and "openai-project" not in second.headers
    assert "sk-test" not in repr(credential)


def test_the_responses_model_is_reachable_from_the_credential() -> None:
    assert OpenAICredential.get_chat_model_classes() == [OpenAIChatModel, OpenAIResponseModel]
    data = browser_data(list(iter_catalog("openai", "chat")))
    classes = {e["model_class"] for e in data["providers"][0]["families"]["chat"]}
    assert classes == {"OpenAIChatModel", "OpenAIResponseModel"}
