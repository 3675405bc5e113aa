"""How long to wait before trying a network request again: one policy for registries and forges.

Pure. Exponential backoff (base, 2·base, 4·base … capped), a server's ``Retry-After`` honoured up to
a cap, and a bound on the whole run's sleeping, so a failing service ends the run in seconds.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry 429/5xx/timeouts/connection errors."""

    tries: int = 4  # the first try included
    base_delay: float = 0.5
    max_delay: float = 4.0
    retry_after_cap: float = 5.0
    total_sleep_cap: float = 9.5

    def delay(self, failed_attempt: int, retry_after: float | None, slept: float) -> float | None:
        """Seconds to sleep after ``failed_attempt`` (1-based), or None to give up.

        >>> [RetryPolicy().delay(n, None, 0.0) for n in (1, 2, 3, 4)]
        [0.5, 1.0, 2.0, None]
        """
        if failed_attempt >= self.tries:
            return None
        wait = min(self.base_delay * 2 ** (failed_attempt - 1), self.max_delay)
        if retry_after is not None:
            wait = min(max(retry_after, 0.0), self.retry_after_cap)
        wait = min(wait, self.total_sleep_cap - slept)
        return wait if wait >= 0 else None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
