"""Every AEP operator fails the task without retries on a permanent error, with no code of its own."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_stripe_aep.client import (
    AEPAmbiguousError,
    AEPAuthError,
    AEPNotFoundError,
    AEPResourceConflictError,
    AEPServerError,
    AEPThrottledError,
    AEPValidationError,
)
from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.validation import InvalidInputError


class Raising(AEPBaseOperator):
    def __init__(self, *, error: BaseException, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def execute(self, context: Any) -> str:
        raise self.error

    def execute_complete(self, context: Any, event: Any = None) -> str:
        raise self.error


class Inheriting(Raising):
    """Overrides nothing: its inherited methods are wrapped once."""


class CallingSuper(Raising):
    def execute(self, context: Any) -> str:
        return super().execute(context)


PERMANENT = [
    InvalidInputError("name", "", "must not be empty"),
    AEPAuthError("IMS token: invalid_client"),
    AEPValidationError("HTTP 400"),
    AEPNotFoundError("HTTP 404"),
    AEPResourceConflictError("differs"),
]
TRANSIENT = [
    AEPServerError("HTTP 503"),
    AEPThrottledError("HTTP 429"),
    AEPAmbiguousError("maybe"),
    OSError("disk"),
]


@pytest.mark.parametrize("operator", [Raising, Inheriting, CallingSuper])
@pytest.mark.parametrize("method", ["execute", "execute_complete"])
@pytest.mark.parametrize("error", PERMANENT, ids=lambda e: type(e).__name__)
def test_a_permanent_error_fails_without_retry(operator, method, error):
    task = operator(error=error, task_id="t")
    with pytest.raises(AirflowFailException) as info:
        getattr(task, method)({})
    assert info.value.__cause__ is error
    assert str(error) in str(info.value)


@pytest.mark.parametrize("error", TRANSIENT, ids=lambda e: type(e).__name__)
def test_a_transient_error_is_left_to_airflow_retries(error):
    with pytest.raises(type(error)) as info:
        Raising(error=error, task_id="t").execute({})
    assert info.value is error


def test_methods_are_wrapped_once_and_keep_their_names():
    assert Inheriting.execute is Raising.execute
    assert Raising.execute.__name__ == "execute"
    assert Raising.execute_complete.__qualname__.endswith("Raising.execute_complete")
