"""Credentials: ``CredentialBase`` and every provider's credential class."""

from typing import TYPE_CHECKING

from ._generated.registry import CREDENTIALS
from ._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:
    from ._core.credential import CredentialBase as CredentialBase
    from ._generated.anthropic import AnthropicCredential as AnthropicCredential
    from ._generated.dashscope import DashScopeCredential as DashScopeCredential
    from ._generated.deepseek import DeepSeekCredential as DeepSeekCredential
    from ._generated.gemini import GeminiCredential as GeminiCredential
    from ._generated.moonshot import MoonshotCredential as MoonshotCredential
    from ._generated.ollama import OllamaCredential as OllamaCredential
    from ._generated.openai import OpenAICredential as OpenAICredential
    from ._generated.xai import XAICredential as XAICredential

__all__ = ["CredentialBase", *sorted(CREDENTIALS)]
__getattr__ = lazy_getattr(__name__, {"CredentialBase": "specwire._core.credential", **CREDENTIALS})
__dir__ = lazy_dir(__name__)
