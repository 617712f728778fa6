"""Pure helpers of the Flow Service client: every documented form of an answer is read."""

from __future__ import annotations

import pytest

from airflow_provider_stripe_aep.client.errors import AEPAmbiguousError
from airflow_provider_stripe_aep.client.flow_service import created_run_id


@pytest.mark.parametrize(
    "answer",
    [
        {"items": [{"id": "run-1", "etag": '"e1"'}]},  # on-demand ingestion guide
        {"id": "run-1", "etag": '"e1"'},  # flow-service.yaml CreateFlowRunResponse
    ],
    ids=["tutorial", "spec"],
)
def test_the_run_id_is_read_from_either_documented_answer(answer):
    assert created_run_id(answer) == "run-1"


@pytest.mark.parametrize(
    "answer", [{}, {"items": []}, {"items": [{"etag": '"e"'}]}, {"id": ""}, [], None, "run-1"]
)
def test_an_answer_without_a_run_id_is_ambiguous(answer):
    with pytest.raises(AEPAmbiguousError, match="no run ID"):
        created_run_id(answer)
