"""How long to wait before trying a network request again, and the loop that waits: one for every
edge that talks HTTP (registries and forges).

Pure: no I/O and no HTTP library. Exponential backoff (base, 2·base, 4·base … capped), a
server's ``Retry-After`` honoured up to a cap, and a bound on the sleeping of one request, so a
failing service ends the run in seconds. :func:`with_retries` takes the try and the sleep as
functions: each edge decides what a failed try is (which statuses, which errors), this module
decides when to try again.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

A = TypeVar("A")  # what a failed try got
T = TypeVar("T")  # what a successful try returns


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


ONCE = RetryPolicy(tries=1)  # a request whose body cannot be sent twice


@dataclass(frozen=True, slots=True)
class Failure(Generic[A]):
    """A try that failed in a way another try may fix."""

    reason: str  # for messages: a status, or the name of a transport error
    answer: A  # what the try got, for a caller that hands on the last one when it gives up
    retry_after: float | None = None  # seconds the server asked us to wait


@dataclass(frozen=True, slots=True)
class GaveUp(Generic[A]):
    """Every try failed: how many there were, and the last failure."""

    tries: int
    last: Failure[A]


def with_retries(
    attempt: Callable[[], T | Failure[A]],
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    on_retry: Callable[[Failure[A], float], None] | None = None,
) -> T | GaveUp[A]:
    """``attempt()`` until it returns something other than a :class:`Failure`, sleeping as
    ``policy`` says in between (``on_retry`` hears each failure and the wait that follows);
    :class:`GaveUp` when the policy says stop. (Annotate the result where it is kept: mypy
    cannot tell ``T`` from ``A`` in the union without it.)

    >>> answers = iter([Failure("503", None, retry_after=1.0), Failure("503", None), "ok"])
    >>> sleeps: list[float] = []
    >>> with_retries(lambda: next(answers), RetryPolicy(), sleeps.append), sleeps
    ('ok', [1.0, 1.0])
    >>> with_retries(lambda: Failure("ConnectError", None), RetryPolicy(), sleeps.append)
    GaveUp(tries=4, last=Failure(reason='ConnectError', answer=None, retry_after=None))
    """
    slept = 0.0
    tries = 0
    while True:
        tries += 1
        outcome = attempt()
        if not isinstance(outcome, Failure):
            return outcome
        wait = policy.delay(tries, outcome.retry_after, slept)
        if wait is None:
            return GaveUp(tries, outcome)
        if on_retry is not None:
            on_retry(outcome, wait)
        sleep(wait)
        slept += wait


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
