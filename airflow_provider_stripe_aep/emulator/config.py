"""Configuration of the emulator and of its fault-injection rules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

FAULT_KINDS: tuple[str, ...] = ("429", "503", "500", "502", "slow", "commit_drop")
MIX = "mix"
"""A rule of kind ``mix`` draws one of its ``kinds`` (weighted) for each request it selects, so one
``rate`` is the combined rate of several faults."""
RUN_OUTCOMES: tuple[str, ...] = ("success", "partialSuccess", "failed")
ROW_ERROR_CODES: tuple[str, ...] = ("MAPPER-3700-400", "INGEST-1555-400")
"""Codes the failed rows of a run carry by default (reference §2.8, §8b)."""


@dataclass
class FailedRows:
    """How a run's rows fail: `share` of its records (0..1), spread over `codes` in turn; the run
    ingests `records` records (0: the resource's sample records); `value`, when set, is written into
    each failed record (where the failure is) so that tests can check it never leaves AEP."""

    share: float = 0.0
    codes: tuple[str, ...] = ROW_ERROR_CODES
    records: int = 0
    value: str | None = None

    def __post_init__(self) -> None:
        self.share = float(self.share)
        if not 0.0 <= self.share <= 1.0:
            raise ValueError("failed-row share must be between 0 and 1")
        self.codes = tuple(str(c) for c in self.codes)
        if not self.codes or not all(self.codes):
            raise ValueError("failed-row codes must be a non-empty list of error codes")
        self.records = int(self.records)
        if self.records < 0:
            raise ValueError("records must be >= 0")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FailedRows:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown failed-row keys: {', '.join(sorted(unknown))}")
        if "codes" in data and not isinstance(data["codes"], list | tuple):
            raise ValueError("codes must be a list of error codes")
        values: dict[str, Any] = {k: tuple(v) if k == "codes" else v for k, v in data.items()}
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return {"share": self.share, "codes": list(self.codes), "records": self.records, "value": self.value}


API_VARIANTS: tuple[str, ...] = ("tutorial", "spec")
"""Where Adobe's tutorials and its OpenAPI specs disagree (API reference §8a), which one the emulator
answers like: ``tutorial`` (the guides' examples) or ``spec`` (the OpenAPI specs). docs/api-notes.md
has the table."""


@dataclass
class FaultRule:
    """One fault-injection rule.

    ``rate`` (0..1, drawn from the seeded RNG) or ``times`` (the next N matching requests) selects
    the requests; ``methods`` and ``path_regex`` narrow them. ``service_effect`` (500/502/503 only) runs
    the handler before answering with the error. ``retry_after`` sets ``Retry-After`` on 429 and 503.
    ``slow`` waits ``delay`` seconds, then runs the request as usual (a client with a shorter timeout
    gives up while the service still acts). ``502`` answers with an HTML gateway page.
    Kind ``mix`` with ``kinds`` (a list, or ``{kind: weight}``) picks one kind per selected request.
    """

    kind: str
    rate: float | None = None
    times: int | None = None
    methods: list[str] | None = None
    path_regex: str | None = None
    retry_after: float | None = None
    delay: float = 1.0
    service_effect: bool = False
    kinds: dict[str, float] | list[str] | None = None

    def __post_init__(self) -> None:
        self.kind = str(self.kind)
        if self.kind not in (*FAULT_KINDS, MIX):
            raise ValueError(f"fault kind must be one of {', '.join((*FAULT_KINDS, MIX))}, got {self.kind!r}")
        if self.kind == MIX:
            self.kinds = _weights(self.kinds)
        elif self.kinds is not None:
            raise ValueError("'kinds' is only for rules of kind 'mix'")
        if self.rate is None and self.times is None:
            self.times = 1
        if self.rate is not None and not 0.0 <= float(self.rate) <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        if self.times is not None and int(self.times) < 0:
            raise ValueError("fault times must be >= 0")
        if self.methods is not None:
            self.methods = [m.upper() for m in self.methods]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault rule keys: {', '.join(sorted(unknown))}")
        return cls(**data)

    @classmethod
    def parse(cls, spec: str) -> FaultRule:
        """Parse the CLI form ``KIND[:key=value]...``, e.g. ``429:rate=0.2:retry_after=1``."""
        kind, *parts = spec.split(":")
        data: dict[str, Any] = {"kind": kind}
        for part in parts:
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"bad fault option {part!r}: expected key=value")
            if key in ("rate", "retry_after", "delay"):
                data[key] = float(value)
            elif key == "times":
                data[key] = int(value)
            elif key in ("methods", "kinds"):
                data[key] = [m for m in value.split(",") if m]
            elif key == "service_effect":
                data[key] = value.lower() in ("1", "true", "yes")
            else:
                data[key] = value
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _weights(kinds: dict[str, float] | list[str] | None) -> dict[str, float]:
    if not kinds:
        raise ValueError(f"a '{MIX}' rule needs 'kinds': a list of fault kinds or {{kind: weight}}")
    weights = (
        {str(k): 1.0 for k in kinds}
        if isinstance(kinds, list)
        else {str(k): float(w) for k, w in kinds.items()}
    )
    for name, weight in weights.items():
        if name not in FAULT_KINDS:
            raise ValueError(f"mix kinds must be among {', '.join(FAULT_KINDS)}, got {name!r}")
        if weight < 0:
            raise ValueError(f"mix weight of {name!r} must be >= 0")
    if sum(weights.values()) <= 0:
        raise ValueError("mix weights must not all be 0")
    return weights


def load_fault_file(path: str | Path) -> list[FaultRule]:
    """Read a JSON list of rules (or ``{"rules": [...]}``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("rules", [])
    return [FaultRule.from_dict(item) for item in data]


@dataclass
class EmulatorConfig:
    """Everything the emulator can be told at start-up. All times are seconds."""

    host: str = "127.0.0.1"
    port: int = 0
    tenant_id: str = "emulatortenant"
    sandboxes: tuple[str, ...] = ("prod",)
    client_secret: str | None = None
    static_tokens: tuple[str, ...] = ()
    token_ttl: int = 86399
    page_size: int = 20
    run_seconds: float = 2.0
    run_interval_seconds: float = 5.0
    max_runs_per_flow: int = 50
    seed: int = 0
    faults: list[FaultRule] = field(default_factory=list)
    run_outcome: str = "success"
    """How runs end unless a flow says otherwise: success, partialSuccess or failed."""
    failed_rows: FailedRows = field(default_factory=FailedRows)
    """How many of a run's rows fail, and with which codes, unless a flow says otherwise."""
    api_variant: str = "tutorial"
    """``tutorial`` or ``spec``: which documented form the emulator answers with (see API_VARIANTS)."""

    def __post_init__(self) -> None:
        if self.api_variant not in API_VARIANTS:
            raise ValueError(
                f"api_variant must be one of {', '.join(API_VARIANTS)}, got {self.api_variant!r}"
            )
        if self.run_outcome not in RUN_OUTCOMES:
            raise ValueError(
                f"run_outcome must be one of {', '.join(RUN_OUTCOMES)}, got {self.run_outcome!r}"
            )
        names = tuple(dict.fromkeys(("prod", *self.sandboxes)))
        self.sandboxes = names
        if self.page_size < 1:
            raise ValueError("page_size must be >= 1")
