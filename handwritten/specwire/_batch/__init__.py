"""Provider batch APIs behind one job: submit, persist the id, resume, wait, read
results in input order, cancel."""

from .job import Batch, BatchJob
from .shapes import (
    BatchError,
    BatchNotSupportedError,
    BatchProgress,
    BatchRequest,
    BatchResult,
)

__all__ = [
    "Batch",
    "BatchError",
    "BatchJob",
    "BatchNotSupportedError",
    "BatchProgress",
    "BatchRequest",
    "BatchResult",
]
