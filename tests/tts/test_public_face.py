"""specwire.tts: its public names, the generated classes' parameters, and their cards."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import specwire.tts as tts_face
from specwire._tts.realtime import RealtimeTTSModelBase
from specwire.credential import DashScopeCredential
from specwire.tts import (
    DashScopeCosyVoiceRealtimeTTSModel,
    DashScopeRealtimeTTSModel,
    DashScopeTTSModel,
    TTSModelBase,
    TTSModelCard,
    TTSResponse,
    TTSUsage,
)


def test_public_names_are_pinned() -> None:
    assert tts_face.__all__ == [
        "TTSModelBase",
        "TTSModelCard",
        "TTSResponse",
        "TTSUsage",
        "DashScopeCosyVoiceRealtimeTTSModel",
        "DashScopeRealtimeTTSModel",
        "DashScopeTTSModel",
    ]
    for name in tts_face.__all__:
        assert getattr(tts_face, name) is not None
    with pytest.raises(AttributeError):
        tts_face.NoSuchModel  # noqa: B018


def test_the_credential_offers_all_three_tts_classes() -> None:
    classes = DashScopeCredential.get_tts_model_classes()
    assert classes == [
        DashScopeTTSModel,
        DashScopeRealtimeTTSModel,
        DashScopeCosyVoiceRealtimeTTSModel,
    ]
    assert all(issubclass(c, TTSModelBase) for c in classes)
    assert [c.realtime for c in classes] == [False, True, True]
    assert issubclass(DashScopeRealtimeTTSModel, RealtimeTTSModelBase)


def test_each_class_lists_only_its_own_cards() -> None:
    assert [c.name for c in DashScopeTTSModel.list_models()] == ["qwen3-tts-flash"]
    assert [c.name for c in DashScopeRealtimeTTSModel.list_models()] == ["qwen3-tts-flash-realtime"]
    cosy = {c.name for c in DashScopeCosyVoiceRealtimeTTSModel.list_models()}
    assert {"cosyvoice-v3-plus", "cosyvoice-v3-flash", "sambert-zhichu-v1"} <= cosy
    everything = {c.name for c in DashScopeCredential.list_tts_models()}
    assert everything == {"qwen3-tts-flash", "qwen3-tts-flash-realtime"} | cosy
    for card in DashScopeCredential.list_tts_models():
        assert isinstance(card, TTSModelCard) and card.voices


def test_parameters_keep_the_documented_ranges() -> None:
    with pytest.raises(ValidationError):
        DashScopeCosyVoiceRealtimeTTSModel.Parameters(volume=101)
    with pytest.raises(ValidationError):
        DashScopeRealtimeTTSModel.Parameters(speech_rate=3.0)
    with pytest.raises(ValidationError):
        DashScopeRealtimeTTSModel.Parameters(format="aiff")
    with pytest.raises(ValidationError):
        DashScopeTTSModel.Parameters(temperature=1)
    assert DashScopeTTSModel.Parameters().voice == "Cherry"


def test_parameters_of_another_class_are_refused() -> None:
    cred = DashScopeCredential(api_key="sk-test")
    with pytest.raises(TypeError, match="Parameters"):
        DashScopeTTSModel(
            credential=cred,
            model="qwen3-tts-flash",
            parameters=DashScopeRealtimeTTSModel.Parameters(),
        )


def test_reprs_hold_no_secret() -> None:
    cred = DashScopeCredential(api_key="sk-very-secret")
    for cls, model in [
        (DashScopeTTSModel, "qwen3-tts-flash"),
        (DashScopeRealtimeTTSModel, "qwen3-tts-flash-realtime"),
    ]:
        tts = cls(credential=cred, model=model)
        assert "sk-very-secret" not in repr(tts) and model in repr(tts)


def test_responses_default_to_a_fresh_id_and_no_audio() -> None:
    a, b = TTSResponse(), TTSResponse(usage=TTSUsage(characters=3))
    assert a.content is None and a.is_last and a.id != b.id
    assert b.usage is not None and b.usage.type == "tts"


def test_websocket_urls_follow_the_base_url() -> None:
    from specwire._tts.cosyvoice_realtime import CosyVoiceRealtimeDialect
    from specwire._tts.qwen_realtime import QwenRealtimeDialect
    from specwire._tts.wire import websocket_url

    cases = {
        "https://dashscope.aliyuncs.com/api/v1": "wss://dashscope.aliyuncs.com/api-ws/v1",
        "https://dashscope-intl.aliyuncs.com/api/v1/": "wss://dashscope-intl.aliyuncs.com/api-ws/v1",
        "http://127.0.0.1:8080/api/v1": "ws://127.0.0.1:8080/api-ws/v1",
        "https://proxy.example/tts": "wss://proxy.example/tts",
    }
    for base, root in cases.items():
        cred = DashScopeCredential(api_key="sk-test", base_url=base)
        qwen = DashScopeRealtimeTTSModel.binding.endpoint
        cosy = DashScopeCosyVoiceRealtimeTTSModel.binding.endpoint
        rewrite = QwenRealtimeDialect.read_options(qwen).ws_base_path
        assert websocket_url(cred, qwen, "qwen3-tts-flash-realtime", rewrite) == (
            root + "/realtime?model=qwen3-tts-flash-realtime"
        )
        rewrite = CosyVoiceRealtimeDialect.read_options(cosy).ws_base_path
        assert websocket_url(cred, cosy, "cosyvoice-v3-plus", rewrite) == root + "/inference"


def test_fast_deltas_equal_model_construct() -> None:
    from specwire._tts.response import audio_block, delta_response

    block = audio_block(b"\x01\x02\x03", "audio/pcm;rate=24000")
    fast = delta_response(block, False, "utt", "2026-01-01T00:00:00.000+00:00")
    slow = TTSResponse.model_construct(
        content=block, is_last=False, id="utt", created_at="2026-01-01T00:00:00.000+00:00"
    )
    assert fast == slow and fast.model_fields_set == slow.model_fields_set
    assert fast.model_dump() == slow.model_dump()
    assert TTSResponse.model_validate(fast.model_dump()) == fast
