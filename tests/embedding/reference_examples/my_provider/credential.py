# ruff: noqa
# The reference's example, unchanged but for the package name (agentscope -> specwire).
from typing import Type, TYPE_CHECKING
from specwire.credential import CredentialBase

if TYPE_CHECKING:
    from specwire.embedding import EmbeddingModelBase


class MyProviderCredential(CredentialBase):
    # ... fields and get_chat_model_class() as before ...

    @classmethod
    def get_embedding_model_class(cls) -> Type["EmbeddingModelBase"]:
        from .my_embedding import MyProviderEmbeddingModel

        return MyProviderEmbeddingModel
