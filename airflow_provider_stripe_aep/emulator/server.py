"""Run the emulator in a background thread on a loopback port (for tests and the demo)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from airflow_provider_stripe_aep.emulator.app import create_app
from airflow_provider_stripe_aep.emulator.config import RUN_OUTCOMES, EmulatorConfig, FaultRule
from airflow_provider_stripe_aep.emulator.faults import FaultInjector
from airflow_provider_stripe_aep.emulator.state import EmulatorState


class EmulatorServer:
    """``with EmulatorServer(EmulatorConfig(run_seconds=0.3)) as aep: requests.get(aep.url + ...)``.

    ``port=0`` (the default) picks a free port. ``start()`` returns once the port accepts connections.
    """

    def __init__(self, config: EmulatorConfig | None = None, **overrides: Any) -> None:
        if config is None:
            config = EmulatorConfig(**overrides)
        elif overrides:
            raise TypeError("pass either a config or keyword overrides, not both")
        self.config = config
        self.app = create_app(config)
        self.state: EmulatorState = self.app.state.emulator
        self.faults: FaultInjector = self.app.state.faults
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.host = config.host
        self.port = config.port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ims_url(self) -> str:
        return f"{self.url}/ims/token/v3"

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.config.host, self.config.port))
        sock.listen(128)
        self._socket = sock
        self.port = sock.getsockname()[1]
        uv_config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=5,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(uv_config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="aep-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the AEP emulator failed to start")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("the AEP emulator did not start in time")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = None
        self._thread = None
        self._socket = None

    # -- conveniences for tests -------------------------------------------------------------------
    def add_fault(self, rule: FaultRule | dict[str, Any]) -> None:
        self.faults.set_rules(
            [rule if isinstance(rule, FaultRule) else FaultRule.from_dict(rule)], append=True
        )

    def set_run_outcome(self, outcome: str | None, flow_id: str | None = None) -> None:
        """How new runs end: ``success``, ``partialSuccess`` or ``failed``, for every flow or one
        (``None`` with a flow ID: back to the emulator-wide setting). ``reset()`` restores the config's."""
        if outcome not in (*RUN_OUTCOMES, *((None,) if flow_id else ())):
            raise ValueError(f"outcome must be one of {', '.join(RUN_OUTCOMES)}, got {outcome!r}")
        with self.state.lock:
            if flow_id is None:
                self.config.run_outcome = str(outcome)
                return
            for store in self.state.sandboxes.values():
                if flow_id in store.flow_meta:
                    store.flow_meta[flow_id].outcome = outcome
                    return
        raise KeyError(f"no flow with id {flow_id}")

    def clear_faults(self) -> None:
        self.faults.clear()

    def reset(self) -> None:
        self.state.reset_resources()
        with self.state.lock:
            self.state.request_log.clear()
        self.faults.clear()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
