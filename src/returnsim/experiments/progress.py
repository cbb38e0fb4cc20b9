"""A progress line for sweeps: done, failed, rate and time left.

On a terminal the line is redrawn in place a few times a second; in a log
(stderr not a terminal) a line is written every 10% or every 30 seconds,
whichever comes first.
"""

from __future__ import annotations

import time
from typing import TextIO


def duration(seconds: float) -> str:
    """``1h02m``, ``3m05s`` or ``12s``."""
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


class Progress:
    """Counts of finished runs out of ``total`` to do in this invocation."""

    def __init__(self, total: int, stream: TextIO, *, label: str = "runs") -> None:
        self.total = total
        self.stream = stream
        self.label = label
        self.done = 0
        self.failed = 0
        self.retrying = 0
        self.start = time.perf_counter()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self._last_draw = 0.0
        self._last_share = -1
        self._last_line = ""

    def line(self) -> str:
        """The current progress line."""
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        finished = self.done + self.failed
        rate = finished / elapsed
        left = self.total - finished
        eta = duration(left / rate) if rate > 0 and left > 0 else ("0s" if left <= 0 else "?")
        retry = f", {self.retrying} retrying" if self.retrying else ""
        share = 100 * finished / max(self.total, 1)
        return (
            f"{self.label}: {finished}/{self.total} done ({share:.0f}%), "
            f"{self.failed} failed{retry}, {rate:.2f} runs/s, ETA {eta}"
        )

    def update(self, *, force: bool = False) -> None:
        """Redraw (terminal) or log a line (when due)."""
        now = time.perf_counter()
        finished = self.done + self.failed
        if self.tty:
            if force or now - self._last_draw >= 0.2:
                self.stream.write("\r" + self.line() + "\x1b[K")
                self.stream.flush()
                self._last_draw = now
            return
        share = int(10 * finished / max(self.total, 1))
        if force or share > self._last_share or now - self._last_draw >= 30:
            line = self.line()
            if line != self._last_line:
                self.stream.write(line + "\n")
                self.stream.flush()
            self._last_line = line
            self._last_draw = now
            self._last_share = share

    def close(self) -> None:
        """Final line."""
        self.update(force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
