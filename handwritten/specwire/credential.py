"""Credentials: ``CredentialBase`` and every provider's credential class."""

from typing import TYPE_CHECKING

from ._generated.registry import CREDENTIALS
from ._lazy import lazy_getattr

if TYPE_CHECKING:
    from ._core.credential import CredentialBase
    from ._generated.anthropic import AnthropicCredential
    from ._generated.dashscope import DashScopeCredential
    from ._generated.deepseek import DeepSeekCredential
    from ._generated.gemini import GeminiCredential
    from ._generated.moonshot import MoonshotCredential
    from ._generated.ollama import OllamaCredential
    from ._generated.openai import OpenAICredential
    from ._generated.xai import XAICredential

__all__ = ["CredentialBase", *sorted(CREDENTIALS)]
__getattr__ = lazy_getattr(__name__, {"CredentialBase": "specwire._core.credential", **CREDENTIALS})
