"""A one-line progress bar for a batch job, drawn on a terminal only."""

from __future__ import annotations

import sys
from typing import TextIO

from .shapes import BatchProgress

WIDTH = 30


class ProgressBar:
    """Redraws ``[#####.....] 50% 500/1000 succeeded 490, failed 10 · running``."""

    def __init__(self, stream: TextIO | None = None, label: str = "batch") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self._drawn = False

    @staticmethod
    def wanted(stream: TextIO | None = None) -> bool:
        """Whether ``stream`` (default stderr) is a terminal."""
        target = stream if stream is not None else sys.stderr
        isatty = getattr(target, "isatty", None)
        return bool(isatty and isatty())

    def update(self, progress: BatchProgress) -> None:
        share = progress.finished / progress.total if progress.total else 1.0
        filled = int(WIDTH * share)
        counts = ", ".join(f"{k} {v}" for k, v in progress.counts.items() if v and k != "pending")
        line = (
            f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%} "
            f"{progress.finished}/{progress.total} {counts} · {progress.state}"
        )
        self.stream.write(line.ljust(100))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
