"""Realtime model cards: reachable from the model classes and the credentials, with
modalities, sample rates, voices, tools, turn detection, resumption and limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from specwire.credential import DashScopeCredential, GeminiCredential, OpenAICredential
from specwire.errors import UnsupportedParameterError
from specwire.realtime import (
    DashScopeRealtimeModel,
    GeminiRealtimeModel,
    OpenAIRealtimeModel,
    RealtimeModelCard,
)

CASES = [
    (OpenAICredential, OpenAIRealtimeModel, "gpt-realtime-2"),
    (GeminiCredential, GeminiRealtimeModel, "gemini-2.5-flash-native-audio-preview-12-2025"),
    (DashScopeCredential, DashScopeRealtimeModel, "qwen3.5-omni-flash-realtime"),
]


@pytest.mark.parametrize(("credential", "model_cls", "name"), CASES)
def test_each_credential_reaches_its_realtime_class_and_cards(
    credential: type, model_cls: type, name: str
) -> None:
    assert credential.get_realtime_model_class() is model_cls
    assert credential.get_realtime_model_classes() == [model_cls]
    from_credential = {c.name for c in credential.list_realtime_models()}
    from_class = {c.name for c in model_cls.list_models()}
    assert name in from_class and from_credential == from_class


def test_credentials_without_realtime_models_say_so() -> None:
    from specwire.credential import AnthropicCredential

    assert AnthropicCredential.get_realtime_model_class() is None
    assert AnthropicCredential.list_realtime_models() == []


def card(model_cls: type, name: str) -> RealtimeModelCard:
    cards = {c.name: c for c in model_cls.list_models()}
    found = cards[name]
    assert isinstance(found, RealtimeModelCard)
    return found


def test_openai_cards() -> None:
    c = card(OpenAIRealtimeModel, "gpt-realtime-2")
    assert c.accepts("audio/pcm") and c.accepts("text/plain") and c.accepts("image/png")
    assert c.output_types == ["audio/pcm", "text/plain"]
    assert c.input_sample_rates == [24000] and c.output_sample_rates == [24000]
    assert c.tools and not c.resumption and c.max_session_seconds == 3600
    assert (c.context_size, c.output_size) == (128000, 32000)
    assert {"marin", "cedar", "alloy"} <= set(c.voices)
    # The card's voices become the form's voice enum; its output cap bounds the field.
    assert c.parameter_schema["properties"]["voice"]["enum"] == c.voices
    assert c.parameter_schema["properties"]["max_output_tokens"]["maximum"] == 32000
    older = card(OpenAIRealtimeModel, "gpt-realtime")
    assert older.parameter_schema["properties"]["max_output_tokens"]["maximum"] == 4096


def test_gemini_cards() -> None:
    c = card(GeminiRealtimeModel, "gemini-2.5-flash-native-audio-preview-12-2025")
    assert c.resumption and c.tools
    assert c.input_sample_rates[0] == 16000 and c.output_sample_rates == [24000]
    assert (c.max_session_seconds, c.max_connection_seconds) == (900, 600)
    assert c.context_size == 128000
    assert c.voices == []  # the native-audio voice set is larger than any list found
    assert "enum" not in c.parameter_schema["properties"]["voice"]


def test_dashscope_cards() -> None:
    c = card(DashScopeRealtimeModel, "qwen3.5-omni-flash-realtime")
    assert c.input_sample_rates == [16000] and c.output_sample_rates == [24000]
    assert c.tools and c.max_session_seconds == 7200 and not c.resumption
    assert not c.accepts("text/plain")  # speech (and images) in
    assert "semantic_vad" in c.turn_detection
    assert not card(DashScopeRealtimeModel, "qwen3-omni-flash-realtime").tools


@pytest.mark.parametrize(("credential", "model_cls", "name"), CASES)
def test_the_spec_audio_rates_agree_with_the_cards(
    credential: type, model_cls: type, name: str
) -> None:
    model = model_cls(credential=credential(api_key="k"), model=name)
    audio = model.options.audio
    for c in model_cls.list_models():
        assert c.input_sample_rates[0] in audio.input_sample_rates, c.name
        assert set(c.output_sample_rates) <= set(audio.output_sample_rates), c.name


def test_a_parameter_the_card_removes_is_refused_and_never_sent(tmp_path: Path) -> None:
    (tmp_path / "gpt-realtime-x.yaml").write_text(
        "name: gpt-realtime-x\nlabel: X\ninput_types: [audio/pcm]\n"
        "output_types: [audio/pcm]\nparameter_overrides: {speed: null}\n"
    )

    class Trimmed(OpenAIRealtimeModel):
        cards_dir = str(tmp_path)

    credential = OpenAICredential(api_key="k")
    with pytest.raises(UnsupportedParameterError, match="speed"):
        Trimmed(
            credential=credential, model="gpt-realtime-x", parameters=Trimmed.Parameters(speed=1.2)
        )
    model = Trimmed(credential=credential, model="gpt-realtime-x")
    with pytest.raises(UnsupportedParameterError, match="speed"):
        model.connect(speed=1.2)
    session = model.connect(max_output_tokens=100)
    assert session.config.parameters == {"max_output_tokens": 100}
    # Another model of the class keeps the parameter.
    assert OpenAIRealtimeModel(credential=credential, model="gpt-realtime").connect(speed=1.2)
