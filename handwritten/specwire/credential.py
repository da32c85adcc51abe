"""Credentials: ``CredentialBase``, every provider's credential class, and the registry
a user interface stores credentials through (``credential_from_json``,
``credential_to_json``, ``register_credential`` for custom providers)."""

from typing import TYPE_CHECKING

from ._generated.registry import CREDENTIALS
from ._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:
    from ._core.credential import CredentialBase as CredentialBase
    from ._core.credential_registry import credential_from_json as credential_from_json
    from ._core.credential_registry import credential_to_json as credential_to_json
    from ._core.credential_registry import register_credential as register_credential
    from ._generated.anthropic import AnthropicCredential as AnthropicCredential
    from ._generated.dashscope import DashScopeCredential as DashScopeCredential
    from ._generated.deepseek import DeepSeekCredential as DeepSeekCredential
    from ._generated.gemini import GeminiCredential as GeminiCredential
    from ._generated.moonshot import MoonshotCredential as MoonshotCredential
    from ._generated.ollama import OllamaCredential as OllamaCredential
    from ._generated.openai import OpenAICredential as OpenAICredential
    from ._generated.xai import XAICredential as XAICredential

_CORE = {
    "CredentialBase": "specwire._core.credential",
    "credential_from_json": "specwire._core.credential_registry",
    "credential_to_json": "specwire._core.credential_registry",
    "register_credential": "specwire._core.credential_registry",
}

__all__ = [*sorted(_CORE), *sorted(CREDENTIALS)]
__getattr__ = lazy_getattr(__name__, {**_CORE, **CREDENTIALS})
__dir__ = lazy_dir(__name__)
