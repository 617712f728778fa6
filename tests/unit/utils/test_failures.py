"""Which failures a retry can cure: a table."""

from __future__ import annotations

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_stripe_aep.client import (
    AEPAmbiguousError,
    AEPAuthError,
    AEPConflictError,
    AEPError,
    AEPMalformedResponseError,
    AEPNotFoundError,
    AEPResourceConflictError,
    AEPServerError,
    AEPThrottledError,
    AEPValidationError,
)
from airflow_provider_stripe_aep.utils.failures import fail_fast, is_permanent
from airflow_provider_stripe_aep.validation import InvalidInputError

CASES = [
    (InvalidInputError("stripe_conn_id", "", "must hold the Stripe secret key", secret=True), True),
    (AEPAuthError("invalid_client"), True),
    (AEPValidationError("HTTP 400"), True),
    (AEPNotFoundError("HTTP 404"), True),
    (AEPConflictError("HTTP 412"), True),
    (AEPResourceConflictError("differs"), True),
    (AEPError("no flow spec named X"), True),
    (AEPThrottledError("HTTP 429"), False),
    (AEPServerError("HTTP 503"), False),
    (AEPMalformedResponseError("HTML page"), False),
    (AEPAmbiguousError("ReadTimeout", timed_out=True), False),
    (ConnectionError("socket"), False),
    (KeyError("x"), False),
]


@pytest.mark.parametrize(("error", "permanent"), CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_permanent_or_transient(error, permanent):
    assert is_permanent(error) is permanent
    raised = AirflowFailException if permanent else type(error)
    with pytest.raises(raised) as info, fail_fast():
        raise error
    assert (info.value.__cause__ if permanent else info.value) is error
