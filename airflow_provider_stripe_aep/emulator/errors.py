"""Error bodies in the formats AEP uses (reference §1.2, §3.7, §6.1) and the exception carrying them."""

from __future__ import annotations

import time
import uuid
from typing import Any


class ApiError(Exception):
    """Raised by handlers; turned into a JSON response by the app's exception handler."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def gateway_error(status: int, code: str, message: str) -> ApiError:
    """Adobe I/O gateway (auth / header) errors: ``{"error_code": ..., "message": ...}``."""
    return ApiError(status, {"error_code": code, "message": message})


def flow_error(code: str, title: str, message: str, resource_type: str | None = None) -> ApiError:
    """Flow Service error, ``code`` like ``"1413-400"``."""
    status = int(code.rsplit("-", 1)[1])
    report: dict[str, Any] = {"detailed-message": message, "request-id": uuid.uuid4().hex}
    if resource_type:
        report["type"] = resource_type
    body = {
        "type": f"https://ns.adobe.com/aep/errors/FLOW-{code}",
        "title": title,
        "status": status,
        "report": report,
        "errorMessage": message,
        "errorDetails": message,
    }
    return ApiError(status, body)


def flow_invalid(message: str) -> ApiError:
    """Generic Flow Service validation failure (``FLOW-1100-400``, the provider-error catch-all)."""
    return flow_error(
        "1100-400",
        "Invalid request",
        f"The request could not be processed. Error from flow provider: {message}",
    )


def flow_not_found(resource_type: str, resource_id: str) -> ApiError:
    return flow_error(
        "1101-404",
        "Resource not found",
        f"The requested {resource_type} resource {resource_id} is not found. "
        "Verify the resource ID before trying again.",
        resource_type,
    )


def xdm_error(code: str, title: str, detail: str, sub_errors: list[Any] | None = None) -> ApiError:
    """Schema Registry error, ``code`` like ``"1012-404"``."""
    status = int(code.rsplit("-", 1)[1])
    body = {
        "type": f"http://ns.adobe.com/aep/errors/XDM-{code}",
        "title": title,
        "status": status,
        "report": {
            "registryRequestId": str(uuid.uuid4()),
            "timestamp": time.strftime("%m-%d-%Y %H:%M:%S", time.gmtime()),
            "detailed-message": detail,
            "sub-errors": sub_errors or [],
        },
        "detail": detail,
    }
    return ApiError(status, body)


def catalog_error(status: int, code: str, title: str, detail: str) -> ApiError:
    """Catalog error (format guessed from the generic AEP shape, code like ``CAT-1001-400``)."""
    return ApiError(
        status,
        {
            "type": f"http://ns.adobe.com/aep/errors/{code}",
            "title": title,
            "status": status,
            "detail": detail,
            "report": {"detailed-message": detail, "request-id": uuid.uuid4().hex},
        },
    )


def dataprep_error(
    status: int, code: str, title: str, detail: str, errors: list[Any] | None = None
) -> ApiError:
    """Data Prep error (format guessed: the generic AEP shape plus the offending mappings)."""
    body: dict[str, Any] = {
        "type": f"http://ns.adobe.com/aep/errors/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "report": {"detailed-message": detail, "request-id": uuid.uuid4().hex},
    }
    if errors is not None:
        body["errors"] = errors
    return ApiError(status, body)


def bad_content_type() -> ApiError:
    return ApiError(
        400,
        {
            "type": "/placeholder/type/uri",
            "status": 400,
            "title": "BadRequestError",
            "detail": "A valid content-type must be specified",
        },
    )


def ims_error(error: str, description: str) -> ApiError:
    return ApiError(400, {"error": error, "error_description": description})


SERVICE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("/data/foundation/flowservice", "flow"),
    ("/data/foundation/schemaregistry", "xdm"),
    ("/data/foundation/catalog", "catalog"),
    ("/data/foundation/conversion", "dataprep"),
)


def service_of(path: str) -> str:
    """Which service answers ``path``: flow, xdm, catalog, dataprep, or the platform gateway."""
    for prefix, service in SERVICE_PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return service
    return "gateway"


_TITLES = {400: "Bad Request", 404: "Resource not found", 405: "Method not allowed"}


def service_error(path: str, status: int, detail: str) -> ApiError:
    """An error in the body format of the service that owns ``path`` (reference §6.1).

    The documents give codes for few of these cases; the code number is the emulator's, the shape
    (and the HTTP status in the code's suffix) is the service's.
    """
    title = _TITLES.get(status, "Error")
    service = service_of(path)
    if service == "flow":
        return flow_error(f"1100-{status}", title, detail)
    if service == "xdm":
        return xdm_error(f"1000-{status}", title, detail)
    if service == "catalog":
        return catalog_error(status, f"CAT-1000-{status}", title, detail)
    if service == "dataprep":
        return dataprep_error(status, f"DATAPREP-1000-{status}", title, detail)
    return gateway_error(status, f"{status}050", detail)
