"""Why a run lost records: a summary of what AEP documents about a run's failures (reference §8b,
§2.8), built without ever keeping a record value.

Inputs are the run object (its and each activity's `statusSummary` errors, the promotion activity's
failed-records manifest and target batches) and the lines of the batch's diagnostic files (Data
Access `.../meta?path=row_errors/<file>` and `.../failed?path=<file>`). Those files hold the
customer's data (`_corrupt_record`, the failed record itself, messages that quote the bad value):
only error codes, XDM paths (`pointerToViolation`) and counts are read from them, never a message
or a field value. Messages come only from the run's status summaries, and are scrubbed of anything
quoted or bracketed, and of e-mail-like words, before they are kept.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal, TypedDict
from urllib.parse import unquote, urlparse

DiagnosticKind = Literal["row_errors", "failed"]
DIAGNOSTIC_KINDS: tuple[DiagnosticKind, ...] = ("row_errors", "failed")
"""Data Access's two kinds of diagnostic files: row errors (`meta?path=row_errors`) and failed records."""
TOP_CODES = 10
TOP_PATHS = 10
MAX_MESSAGES = 5
MAX_MESSAGE_CHARS = 200

_QUOTED = re.compile(r"\[[^\]]*\]|\"[^\"]*\"|'[^']*'|`[^`]*`|\{[^}]*\}")
_EMAIL_LIKE = re.compile(r"\S+@\S+")
_BATCH_IN_URL = re.compile(r"/batches/([^/?#]+)")


class CodeCount(TypedDict):
    code: str
    rows: int | None


class PathCount(TypedDict):
    path: str
    rows: int


class RowTally(TypedDict):
    """What was counted in the diagnostic files: rows per error code, rows per XDM path."""

    rows_read: int
    codes: dict[str, int]
    paths: dict[str, int]


class RunDiagnostics(TypedDict):
    run_id: str | None
    status: str
    input_records: int | None
    failed_records: int | None
    failed_ratio: float | None
    codes: list[CodeCount]
    paths: list[PathCount]
    messages: list[str]
    batches: list[str]
    rows_read: int
    note: str


def scrub_message(message: Any) -> str:
    """A message safe to log: quoted, bracketed and braced parts and e-mail-like words removed
    (AEP's messages quote the offending value, e.g. `[2018-00-23T22:07:01Z] is not a valid
    date-time`), cut to `MAX_MESSAGE_CHARS`."""
    text = _EMAIL_LIKE.sub("<redacted>", _QUOTED.sub("<redacted>", str(message or "")))
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def _activities(run: dict[str, Any]) -> list[dict[str, Any]]:
    found = run.get("activities") or run.get("activites") or []  # the spec's spelling (§2.8)
    return [a for a in found if isinstance(a, dict)]


def _status_errors(status_summary: Any) -> list[dict[str, Any]]:
    if not isinstance(status_summary, dict):
        return []
    extensions = status_summary.get("extensions") or {}
    errors = list(status_summary.get("errors") or [])
    if isinstance(extensions, dict):
        errors.extend(extensions.get("errors") or [])
    return [e for e in errors if isinstance(e, dict)]


def run_errors(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's and each activity's `statusSummary` errors (also under `extensions.errors`)."""
    errors = _status_errors((run.get("metrics") or {}).get("statusSummary"))
    for activity in _activities(run):
        errors.extend(_status_errors(activity.get("statusSummary")))
    return errors


def batch_ids(run: dict[str, Any]) -> list[str]:
    """The batches a run wrote: from the promotion activity's manifest links (`.../batches/{BATCH}/
    meta?path=row_errors`) and from its `targetInfo` references of type `Batch`."""
    found: list[str] = []
    for activity in _activities(run):
        status = activity.get("statusSummary") or {}
        manifest = ((status.get("extensions") or {}) if isinstance(status, dict) else {}).get("manifest")
        if isinstance(manifest, dict):
            for link in manifest.values():
                match = _BATCH_IN_URL.search(urlparse(str(link)).path)
                if match:
                    found.append(unquote(match.group(1)))
        for target in activity.get("targetInfo") or []:
            reference = (target or {}).get("reference") or {}
            if str(reference.get("type", "")).lower() == "batch":
                found.extend(str(i) for i in reference.get("ids") or [] if i)
    return list(dict.fromkeys(found))


def xdm_path(pointer: Any) -> str | None:
    """`#/_tenant/billing_details/email` → `_tenant.billing_details.email` (array indices → `[]`)."""
    if not isinstance(pointer, str) or not pointer.strip("#/ "):
        return None
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("#").strip("/").split("/")]
    path = ""
    for part in parts:
        if part.isdigit():
            path += "[]"
        else:
            path += ("." if path else "") + part
    return path


def empty_tally() -> RowTally:
    return RowTally(rows_read=0, codes={}, paths={})


def tally_rows(lines: Iterable[str | bytes], kind: DiagnosticKind, tally: RowTally | None = None) -> RowTally:
    """Count, over the lines (JSON objects, one a line) of one diagnostic file, the error codes of a
    row-errors file (`_errors[].code`) or the XDM paths of a failed-records file
    (`_validationErrors[].pointerToViolation`). Both files describe the same rows, so each kind
    gives one of the two. Every other key, the record's values and every message are ignored;
    unreadable lines are skipped."""
    tally = tally or empty_tally()
    codes, paths = Counter(tally["codes"]), Counter(tally["paths"])
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if not isinstance(row, dict):
            continue
        if kind == "row_errors":
            tally["rows_read"] += 1
            errors = row.get("_errors") or []
            codes.update({str(e["code"]) for e in errors if isinstance(e, dict) and e.get("code")})
        else:
            validation = [e for e in row.get("_validationErrors") or [] if isinstance(e, dict)]
            paths.update({p for p in (xdm_path(e.get("pointerToViolation")) for e in validation) if p})
    tally["codes"], tally["paths"] = dict(codes), dict(paths)
    return tally


def _count(records: dict[str, Any], name: str) -> int | None:
    value = records.get(name)
    return int(value) if isinstance(value, int | float) else None


def diagnose(run: dict[str, Any], tally: RowTally | None = None, *, note: str = "") -> RunDiagnostics:
    """The summary of one run: counts, top error codes with rows each (the activities' documented
    `recordCount`, else the rows counted in the files), the XDM paths involved, a few scrubbed
    messages."""
    tally = tally or empty_tally()
    metrics = run.get("metrics") or {}
    records = metrics.get("recordSummary") or {}
    inputs, failed = _count(records, "inputRecordCount"), _count(records, "failedRecordCount")
    errors = run_errors(run)
    documented: dict[str, int] = {}
    order: list[str] = []
    for error in errors:
        code = str(error.get("code") or "")
        if not code:
            continue
        order.append(code)
        if isinstance(error.get("recordCount"), int | float):
            documented[code] = max(documented.get(code, 0), int(error["recordCount"]))
    rows = {**tally["codes"], **documented}
    codes = sorted(
        dict.fromkeys([*order, *tally["codes"]]),
        key=lambda c: (-(rows.get(c) or 0), c),
    )
    messages = list(
        dict.fromkeys(
            f"{e.get('code', '?')}: {scrub_message(e.get('message') or e.get('description'))}" for e in errors
        )
    )
    paths = sorted(tally["paths"].items(), key=lambda item: (-item[1], item[0]))
    status = str((metrics.get("statusSummary") or {}).get("status") or run.get("state") or "unknown")
    return RunDiagnostics(
        run_id=run.get("id"),
        status=status,
        input_records=inputs,
        failed_records=failed,
        failed_ratio=failed / inputs if inputs and failed is not None else None,
        codes=[CodeCount(code=c, rows=rows.get(c)) for c in codes[:TOP_CODES]],
        paths=[PathCount(path=p, rows=n) for p, n in paths[:TOP_PATHS]],
        messages=messages[:MAX_MESSAGES],
        batches=batch_ids(run),
        rows_read=tally["rows_read"],
        note=note,
    )


def needs_diagnosis(counts: dict[str, int], status: str) -> bool:
    """Whether a finished run is worth diagnosing: it has failed records, or did not plainly succeed."""
    return (counts.get("failedRecordCount") or 0) > 0 or status.lower() not in ("success", "succeeded")


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def describe_diagnostics(diagnostics: RunDiagnostics, *, messages: bool = True) -> str:
    """One paragraph: counts, codes with rows each, paths, and (unless told not to) messages."""
    parts = []
    failed, inputs = diagnostics["failed_records"], diagnostics["input_records"]
    if failed is not None and inputs:
        parts.append(f"{failed} of {inputs} records failed ({failed / inputs:.1%})")
    elif failed is not None:
        parts.append(f"{failed} records failed")
    if diagnostics["codes"]:
        parts.append(
            "error codes: "
            + ", ".join(
                f"{c['code']} ({_rows(c['rows'])})" if c["rows"] is not None else c["code"]
                for c in diagnostics["codes"]
            )
        )
    if diagnostics["paths"]:
        parts.append(
            "XDM paths: " + ", ".join(f"{p['path']} ({_rows(p['rows'])})" for p in diagnostics["paths"])
        )
    if messages and diagnostics["messages"]:
        parts.append("messages: " + "; ".join(diagnostics["messages"]))
    if diagnostics["note"]:
        parts.append(diagnostics["note"])
    return "; ".join(parts) or "no diagnostics"


def diagnostics_table(diagnostics: RunDiagnostics) -> str:
    """A small table for the task log: one line per error code and per XDM path."""
    lines = [f"{'error code / XDM path':<60} rows"]
    lines += [f"{c['code']:<60} {'' if c['rows'] is None else c['rows']}" for c in diagnostics["codes"]]
    lines += [f"{p['path']:<60} {p['rows']}" for p in diagnostics["paths"]]
    return "\n".join(lines)
