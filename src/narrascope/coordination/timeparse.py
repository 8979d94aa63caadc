"""Times and durations as plain seconds, so every later step compares floats and nothing else."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

__all__ = ["format_duration", "parse_duration", "parse_time"]

_UNITS = {"ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$")


def parse_time(value: object) -> float:
    """Epoch seconds (a number or numeric text) or ISO 8601 text, as UTC epoch seconds.

    Naive ISO times are read as UTC: a table that mixes zones without saying so cannot be fixed here,
    and UTC is what exports from platforms almost always mean. Raises ValueError with the reason.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("empty time")
        try:
            seconds = float(text)
        except ValueError:
            seconds = _iso(text)
    if not math.isfinite(seconds):
        raise ValueError(f"not a finite time: {value!r}")
    return seconds


def _iso(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"neither epoch seconds nor ISO 8601: {text[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_duration(text: str | float) -> float:
    """``60s``, ``5m``, ``1h``, ``2d``, ``500ms`` or a bare number of seconds, as seconds (≥ 0)."""
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        match = _DURATION.match(text.lower())
        if match is None or match.group(2) not in ("", *_UNITS):
            raise ValueError(f"not a duration: {text!r} (try 60s, 5m, 1h, 1d)")
        seconds = float(match.group(1)) * _UNITS.get(match.group(2), 1.0)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a duration: {text!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """A spelling people read easily: seconds up to 10 minutes (``60 s``), then ``min``, ``h`` or ``d``."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= max(size, 600.0) and seconds % size == 0:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"
