# ruff: noqa
# The reference's example, unchanged but for the package name (agentscope -> specwire).
from specwire.embedding import OllamaEmbeddingModel
from specwire.credential import OllamaCredential

model = OllamaEmbeddingModel(
    credential=OllamaCredential(host="http://localhost:11434"),
    model="nomic-embed-text",
)
