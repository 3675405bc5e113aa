"""Edge: what a person at a terminal sees beyond the report: colour and progress.

Colour only on a terminal, never with ``NO_COLOR`` set (https://no-color.org) or ``TERM=dumb``.
Progress goes to standard error, only on a terminal and never with ``--quiet``: a pipe or a CI
log gets nothing but the report.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import TextIO, TypeVar

from versionbot.core.neutralise import neutralise

_STYLES = {"bold": "1", "red": "31", "green": "32", "yellow": "33", "dim": "2"}
T = TypeVar("T")


def wants_colour(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """True when ``stream`` is a terminal and nothing asks for plain text."""
    env = os.environ if env is None else env
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return stream.isatty()


def paint(text: str, style: str, *, colour: bool) -> str:
    """``text`` in ``style`` (bold, red, green, yellow, dim) when ``colour``, else as it is."""
    return f"\033[{_STYLES[style]}m{text}\033[0m" if colour else text


class Progress:
    """A one-line counter on standard error, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self._stream = stream
        self._enabled = enabled and stream.isatty()
        self._shown = 0.0
        self._drawn = False

    def count(self, items: Iterable[T], label: str) -> Iterator[T]:
        """Pass ``items`` through, showing how many went by (``label``: "commits read")."""
        if not self._enabled:
            yield from items
            return
        number = 0
        try:
            for number, item in enumerate(items, 1):
                if number % 1000 == 0:
                    self.show(f"{number:,} {label}")
                yield item
        finally:
            self.clear()

    def show(self, text: str) -> None:
        """Replace the line with ``text`` (throttled)."""
        now = time.monotonic()
        if not self._enabled or now - self._shown < 0.1:
            return
        self._shown = now
        self._stream.write(f"\r\033[K{neutralise(text)}")  # it may name a tag, a file
        self._stream.flush()
        self._drawn = True

    def clear(self) -> None:
        """Remove the line, so the report starts on a clean one."""
        if self._drawn:
            self._stream.write("\r\033[K")
            self._stream.flush()
            self._drawn = False
