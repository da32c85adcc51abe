"""Text-to-speech models: the base, the response types, and every provider's TTS class."""

from typing import TYPE_CHECKING

from ._generated.registry import TTS_MODELS
from ._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:
    # Aliased imports are explicit re-exports (the names resolve lazily at run time).
    from ._cards import TTSModelCard as TTSModelCard
    from ._generated.dashscope_tts import (
        DashScopeCosyVoiceRealtimeTTSModel as DashScopeCosyVoiceRealtimeTTSModel,
    )
    from ._generated.dashscope_tts import DashScopeRealtimeTTSModel as DashScopeRealtimeTTSModel
    from ._generated.dashscope_tts import DashScopeTTSModel as DashScopeTTSModel
    from ._tts.base import TTSModelBase as TTSModelBase
    from ._tts.response import TTSResponse as TTSResponse
    from ._tts.response import TTSUsage as TTSUsage

_CORE = {
    "TTSModelBase": "specwire._tts.base",
    "TTSResponse": "specwire._tts.response",
    "TTSUsage": "specwire._tts.response",
    "TTSModelCard": "specwire._cards",
}

__all__ = [*sorted(_CORE), *sorted(TTS_MODELS)]
__getattr__ = lazy_getattr(__name__, {**_CORE, **TTS_MODELS})
__dir__ = lazy_dir(__name__)
