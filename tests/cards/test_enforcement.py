"""A parameter a model's card removes is refused when the model is built."""

from __future__ import annotations

import pytest

from specwire._cards import UnsupportedParameterError, check_parameters_against_card
from specwire.credential import DashScopeCredential, OpenAICredential
from specwire.errors import UnsupportedParameterError as PublicUnsupportedParameterError
from specwire.model import DashScopeChatModel, OpenAIChatModel

CRED = OpenAICredential(api_key="sk-test-not-real")


def test_a_removed_parameter_is_refused_with_the_model_parameter_and_card_named() -> None:
    params = OpenAIChatModel.Parameters(presence_penalty=0.5, frequency_penalty=0.1, max_tokens=10)
    with pytest.raises(UnsupportedParameterError) as info:
        OpenAIChatModel(credential=CRED, model="gpt-5.5", parameters=params)
    message = str(info.value)
    assert "'gpt-5.5'" in message and "frequency_penalty, presence_penalty" in message
    assert "spec/cards/openai/chat/gpt-5.5.yaml" in message
    assert info.value.parameters == ("frequency_penalty", "presence_penalty")
    assert (
        isinstance(info.value, ValueError)
        and PublicUnsupportedParameterError is UnsupportedParameterError
    )
    assert "sk-test" not in message


def test_hidden_parameters_stay_usable_in_code() -> None:
    params = OpenAIChatModel.Parameters(temperature=0.2, top_p=0.9)  # hidden on gpt-5.5
    model = OpenAIChatModel(credential=CRED, model="gpt-5.5", parameters=params)
    assert model.parameters.temperature == 0.2


def test_an_explicit_none_and_models_without_a_card_are_left_alone() -> None:
    OpenAIChatModel(
        credential=CRED,
        model="gpt-5.5",
        parameters=OpenAIChatModel.Parameters(presence_penalty=None),
    )
    OpenAIChatModel(
        credential=CRED,
        model="my-fine-tune",
        parameters=OpenAIChatModel.Parameters(presence_penalty=0.5),
    )


def test_a_parameter_kept_by_one_card_and_removed_by_another() -> None:
    cred = DashScopeCredential(api_key="sk-test-not-real")
    params = DashScopeChatModel.Parameters(thinking_enable=True)
    DashScopeChatModel(credential=cred, model="qwen3-max", parameters=params)  # thinking model
    with pytest.raises(UnsupportedParameterError, match="qwen-vl-max"):
        DashScopeChatModel(credential=cred, model="qwen-vl-max", parameters=params)


def test_the_check_accepts_mappings() -> None:
    check_parameters_against_card(
        OpenAIChatModel, "gpt-4o", {"temperature": 1.0, "reasoning_effort": None}
    )
    with pytest.raises(UnsupportedParameterError, match="reasoning_effort"):
        check_parameters_against_card(OpenAIChatModel, "gpt-4o", {"reasoning_effort": "low"})
