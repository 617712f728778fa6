from __future__ import annotations

import pytest
from mock_platform import IMS


@pytest.fixture(autouse=True)
def ims(requests_mock):
    """IMS hands out a token to every client."""
    return requests_mock.post(IMS, json={"access_token": "tok", "expires_in": 86399})
