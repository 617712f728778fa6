"""Which failures a retry can cure, and turning the others into a failure without retries.

Bad input, auth errors, AEP validation errors, conflicts and not-found are final: Airflow's task
retries would only repeat them. Throttling, 5xx, timeouts and ambiguous creates are transient and keep
Airflow's retries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_stripe_aep.client.errors import (
    AEPAmbiguousError,
    AEPError,
    AEPServerError,
    AEPThrottledError,
)
from airflow_provider_stripe_aep.validation import InvalidInputError

TRANSIENT_ERRORS: tuple[type[AEPError], ...] = (AEPThrottledError, AEPServerError, AEPAmbiguousError)


def is_permanent(exc: BaseException) -> bool:
    """True when retrying the same task cannot succeed."""
    if isinstance(exc, InvalidInputError):
        return True
    return isinstance(exc, AEPError) and not isinstance(exc, TRANSIENT_ERRORS)


@contextmanager
def fail_fast() -> Iterator[None]:
    """Re-raise permanent errors as AirflowFailException (no retry); let transient ones through."""
    try:
        yield
    except Exception as exc:
        if is_permanent(exc):
            raise AirflowFailException(str(exc)) from exc
        raise
