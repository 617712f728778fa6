"""Data Access: the two lists of a batch's diagnostic files and their downloads (reference §8b)."""

from __future__ import annotations

import pytest
from mock_platform import BASE, make_client

from airflow_provider_stripe_aep.client import AEPMalformedResponseError, AEPNotFoundError

EXPORT = f"{BASE}/data/foundation/export"
PAGE = {"_page": {"limit": 100, "count": 2}}


def test_row_error_files_are_listed_and_read_through_the_meta_endpoint(requests_mock):
    files = [{"name": "conversion_errors_0.json", "length": "10"}, {"length": "3"}]
    listing = requests_mock.get(f"{EXPORT}/batches/B1/meta?path=row_errors", json={"data": files, **PAGE})
    download = requests_mock.get(
        f"{EXPORT}/batches/B1/meta?path=row_errors%2Fconversion_errors_0.json",
        text='{"a":1}\n\n{"b":2}\n{"c":3}',
    )
    api = make_client().data_access
    assert api.list_files("B1", "row_errors") == [files[0]]  # entries without a name are dropped
    assert api.read_lines("B1", "row_errors", "conversion_errors_0.json", max_lines=3) == [
        b'{"a":1}',
        b'{"b":2}',
    ]
    assert listing.call_count == download.call_count == 1
    assert download.last_request.qs == {"path": ["row_errors/conversion_errors_0.json"]}


def test_failed_record_files_are_listed_and_read_through_the_failed_endpoint(requests_mock):
    requests_mock.get(f"{EXPORT}/batches/B1/failed", json={"data": [{"name": "_SUCCESS", "length": "0"}]})
    api = make_client().data_access
    assert api.list_files("B1", "failed") == [{"name": "_SUCCESS", "length": "0"}]
    requests_mock.get(f"{EXPORT}/batches/B1/failed?path=part-0.json", text='{"x": 1}')
    assert api.read_lines("B1", "failed", "part-0.json", max_lines=10) == [b'{"x": 1}']


def test_a_list_without_data_is_malformed_and_an_unknown_batch_is_not_found(requests_mock):
    requests_mock.get(f"{EXPORT}/batches/B1/failed", json={"items": []})
    with pytest.raises(AEPMalformedResponseError, match="'data'"):
        make_client().data_access.list_files("B1", "failed")
    requests_mock.get(
        f"{EXPORT}/batches/B2/failed",
        status_code=404,
        json={"status": 404, "title": "NotFound", "detail": "no"},
    )
    with pytest.raises(AEPNotFoundError):
        make_client().data_access.list_files("B2", "failed")
