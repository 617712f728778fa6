"""AEP-wide constants, as Adobe documents them: the data-lake target, the REST flow spec, XDM classes,
Schema Registry media types and the schedule frequencies. Every source uses them.

With the sources' constants, these are the only definitions the emulator may share with the client side.
"""

from __future__ import annotations

DATA_LAKE_CONNECTION_SPEC_ID = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
REST_FLOW_SPEC_ID = "6499120c-0b15-42dc-936e-847ea3c24d72"
SPEC_VERSION = "1.0"

TARGET_DATA_FORMAT = "parquet_xdm"
# Schema Registry media types, each spelled one way (Adobe's pages write both `;version=1` and
# `; version=1`; the parameter is the same).
XED_FULL_CONTENT_TYPE = "application/vnd.adobe.xed-full+json;version=1"
XED_RAW_CONTENT_TYPE = "application/vnd.adobe.xed+json;version=1"
XED_ID_CONTENT_TYPE = "application/vnd.adobe.xed-id+json"

FREQUENCIES: tuple[str, ...] = ("once", "minute", "hour", "day", "week")
MIN_MINUTE_INTERVAL = 15

PROFILE_CLASS_ID = "https://ns.adobe.com/xdm/context/profile"
EXPERIENCE_EVENT_CLASS_ID = "https://ns.adobe.com/xdm/context/experienceevent"
