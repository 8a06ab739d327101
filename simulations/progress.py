"""Progress of a simulation on a stream, for the command line (``simulate``, ``plan``)."""

from __future__ import annotations

from typing import TextIO

from simulations.runner import CEILING, Progress

__all__ = ["ProgressReporter"]


class ProgressReporter:
    """``labelwise simulate``'s and ``plan``'s progress on stderr, after each finished task.

    On a terminal, one line rewritten in place (``\\r``). Anything else (a log file, CI, a pipe) gets a new line
    about every ``every`` share of the tasks and at the end, never a ``\\r``: rewriting in place there only piles
    fragments into one endless line. The whole-pool reference fit is named in words, not by its internal name. A
    report from an adaptive plan's stage (``Progress.budget`` set) names the stage and its labels, and each stage
    starts its own count.
    """

    def __init__(self, stream: TextIO, *, every: float = 0.1) -> None:
        self.stream = stream
        self.every = every
        try:
            self.tty = bool(stream.isatty())
        except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream: not a terminal
            self.tty = False
        self._width = 0  # of the in-place line, to blank what a shorter one leaves behind
        self._step = -1  # the last share step (0, 1, ... 10 for 10%) printed off a terminal
        self._stage: int | None = None

    @staticmethod
    def task(p: Progress) -> str:
        return "whole-pool reference fit" if p.strategy == CEILING else f"{p.strategy} seed {p.seed}"

    @staticmethod
    def stage(p: Progress) -> str:
        return f"stage {p.stage} (up to {p.budget:,} labels), " if p.budget else ""

    def __call__(self, p: Progress) -> None:
        if p.stage != self._stage:  # a new stage counts its tasks from the start
            if self._stage is not None:
                self.close()
            self._stage, self._step, self._width = p.stage, -1, 0
        if self.tty:
            text = f"[{p.done}/{p.total}] {self.stage(p)}{self.task(p)}"
            print("\r" + text.ljust(self._width), end="", file=self.stream, flush=True)
            self._width = max(self._width, len(text))
            return
        steps = max(1, round(1 / self.every))
        step = p.done * steps // max(p.total, 1)  # the first task, each 10% crossed, and the last print a line
        if step > self._step:
            self._step = step
            print(f"progress: {self.stage(p)}{p.done}/{p.total} tasks ({p.done / max(p.total, 1):.0%})",
                  file=self.stream, flush=True)

    def close(self) -> None:
        """End the in-place line on a terminal (off a terminal every line is already ended)."""
        if self.tty and self._width:
            print(file=self.stream, flush=True)
            self._width = 0
