"""Connection defaults, in a module light enough for provider discovery to import (no client, no
requests)."""

from __future__ import annotations

DEFAULT_BASE_URL = "https://platform.adobe.io"
IMS_TOKEN_PATH = "/ims/token/v3"  # noqa: S105 - a path
DEFAULT_IMS_TOKEN_URL = f"https://ims-na1.adobelogin.com{IMS_TOKEN_PATH}"
DEFAULT_SANDBOX = "prod"
DEFAULT_TIMEOUT = 60.0
DEFAULT_SCOPES = "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext"
"""The scope list commonly seen on AEP OAuth Server-to-Server credentials; the Developer Console shows
the exact list of each credential, which belongs in the connection's `scopes` extra."""
