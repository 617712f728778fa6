"""The in-memory store: tokens, per-sandbox resources, request log."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_stripe_aep.emulator.config import EmulatorConfig, FailedRows

Resource = dict[str, Any]


def now_ms() -> int:
    return int(time.time() * 1000)


def new_id() -> str:
    return str(uuid.uuid4())


def new_etag() -> str:
    """An etag as Flow Service returns it: a string that contains literal double quotes."""
    return f'"{uuid.uuid4()}"'


@dataclass
class TokenInfo:
    client_id: str | None
    expires_at: float


@dataclass
class FlowMeta:
    """Emulator-only bookkeeping of a dataflow (never returned by the API)."""

    org: str
    next_run_at: float | None
    fail_runs: bool = False
    run_count: int = 0
    outcome: str | None = None
    """How this flow's new runs end (None: the emulator-wide setting)."""
    delta_column: Any = None
    """The ``deltaColumn`` of the first on-demand run (it cannot change afterwards)."""
    failed_rows: FailedRows | None = None
    """How this flow's new runs lose rows (None: the emulator-wide setting)."""
    stopped: bool = False
    """No new scheduled runs (a stale flow: the source stopped delivering)."""


@dataclass
class SandboxStore:
    name: str
    connections: dict[str, Resource] = field(default_factory=dict)
    source_connections: dict[str, Resource] = field(default_factory=dict)
    target_connections: dict[str, Resource] = field(default_factory=dict)
    flows: dict[str, Resource] = field(default_factory=dict)
    flow_meta: dict[str, FlowMeta] = field(default_factory=dict)
    runs: dict[str, Resource] = field(default_factory=dict)
    fieldgroups: dict[str, Resource] = field(default_factory=dict)
    schemas: dict[str, Resource] = field(default_factory=dict)
    datasets: dict[str, Resource] = field(default_factory=dict)
    mapping_sets: dict[str, Resource] = field(default_factory=dict)
    source_fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Fields Stripe "added" (admin call): resource path -> {dotted path: {schema, value}}."""
    table_columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Columns a table source "added" (admin call): table path -> {column name: {column, value}}."""


@dataclass
class EmulatorState:
    config: EmulatorConfig
    tokens: dict[str, TokenInfo] = field(default_factory=dict)
    sandboxes: dict[str, SandboxStore] = field(default_factory=dict)
    request_log: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    initial_run_outcome: str = ""
    initial_failed_rows: FailedRows | None = None

    def __post_init__(self) -> None:
        self.initial_run_outcome = self.config.run_outcome
        self.initial_failed_rows = self.config.failed_rows
        self.reset_resources()

    def reset_resources(self) -> None:
        with self.lock:
            self.sandboxes = {name: SandboxStore(name) for name in self.config.sandboxes}
            self.config.run_outcome = self.initial_run_outcome
            self.config.failed_rows = self.initial_failed_rows or FailedRows()

    def sandbox(self, name: str) -> SandboxStore:
        return self.sandboxes[name]

    def issue_token(self, token: str, client_id: str) -> None:
        with self.lock:
            self.tokens[token] = TokenInfo(client_id, time.time() + self.config.token_ttl)

    def expire_tokens(self) -> int:
        with self.lock:
            count = len(self.tokens)
            self.tokens.clear()
            return count

    def token_info(self, token: str) -> TokenInfo | None:
        if token in self.config.static_tokens:
            return TokenInfo(None, float("inf"))
        info = self.tokens.get(token)
        if info is None or info.expires_at <= time.time():
            return None
        return info
