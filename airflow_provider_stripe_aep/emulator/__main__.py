"""``python -m airflow_provider_stripe_aep.emulator --port 8080``: serve the emulator until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from airflow_provider_stripe_aep.emulator.config import (
    API_VARIANTS,
    FAULT_KINDS,
    ROW_ERROR_CODES,
    RUN_OUTCOMES,
    EmulatorConfig,
    FailedRows,
    FaultRule,
    load_fault_file,
)
from airflow_provider_stripe_aep.emulator.server import EmulatorServer

FAULT_HELP = f"""\
fault rules (repeatable): KIND[:key=value]... with KIND one of {", ".join(FAULT_KINDS)} or mix, and keys
  rate=0..1 (seeded random), times=N (the next N matching requests; default 1 when no rate),
  methods=GET,POST  path_regex=REGEX  retry_after=SECONDS (429/503)  delay=SECONDS (slow)
  service_effect=true (500/502/503: run the request, then answer with the error)
  kinds=429,503,502,slow,commit_drop (mix: one of them per selected request; rate is the combined rate).
examples: --fault 429:rate=0.2:retry_after=1   --fault commit_drop:times=1:methods=POST:path_regex=/flows$
          --fault mix:rate=0.3:kinds=429,503,502,slow,commit_drop:retry_after=1:delay=3
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_stripe_aep.emulator",
        description="Local in-memory Adobe Experience Platform (IMS, Flow Service, Schema Registry, Catalog "
        "and Data Prep) on one port.",
        epilog=FAULT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=8080, help="port (0 picks a free one; default 8080)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--tenant-id", default="emulatortenant", help="Schema Registry tenant id")
    parser.add_argument(
        "--sandbox", action="append", default=[], help="extra sandbox name (prod always exists)"
    )
    parser.add_argument("--client-secret", default=None, help="accept only this IMS client secret")
    parser.add_argument("--token-ttl", type=int, default=86399, help="IMS expires_in, seconds")
    parser.add_argument("--page-size", type=int, default=20, help="Flow Service default page size")
    parser.add_argument("--run-seconds", type=float, default=2.0, help="how long a run stays inProgress")
    parser.add_argument(
        "--run-interval-seconds",
        type=float,
        default=5.0,
        help="gap between runs of a recurring flow (a fast clock)",
    )
    parser.add_argument(
        "--run-outcome",
        choices=RUN_OUTCOMES,
        default="success",
        help="how runs end (default success; /_emulator/run-outcome changes it per flow)",
    )
    parser.add_argument(
        "--failed-row-share",
        type=float,
        default=0.0,
        help="share (0..1) of each run's records that fail (default 0; /_emulator/failed-rows per flow)",
    )
    parser.add_argument(
        "--failed-row-codes",
        default=",".join(ROW_ERROR_CODES),
        help=f"comma-separated error codes of the failed rows (default {','.join(ROW_ERROR_CODES)})",
    )
    parser.add_argument(
        "--records-per-run", type=int, default=0, help="records a run ingests (default: the samples)"
    )
    parser.add_argument(
        "--api-variant",
        choices=API_VARIANTS,
        default="tutorial",
        help="where Adobe's tutorials and specs disagree, answer as the tutorials (default) or the "
        "OpenAPI specs do (POST /runs answer, GET /runs/{id} envelope, scheduleParams spelling, "
        "on-demand run params); docs/api-notes.md has the table",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault-injection RNG")
    parser.add_argument(
        "--fault", action="append", default=[], metavar="SPEC", help="a fault rule, see below"
    )
    parser.add_argument("--faults-json", default=None, metavar="FILE", help="JSON list of fault rules")
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    faults = [FaultRule.parse(spec) for spec in args.fault]
    if args.faults_json:
        faults.extend(load_fault_file(args.faults_json))
    return EmulatorConfig(
        host=args.host,
        port=args.port,
        tenant_id=args.tenant_id,
        sandboxes=tuple(args.sandbox),
        client_secret=args.client_secret,
        token_ttl=args.token_ttl,
        page_size=args.page_size,
        run_seconds=args.run_seconds,
        run_interval_seconds=args.run_interval_seconds,
        run_outcome=args.run_outcome,
        failed_rows=FailedRows(
            share=args.failed_row_share,
            codes=tuple(c for c in args.failed_row_codes.split(",") if c),
            records=args.records_per_run,
        ),
        api_variant=args.api_variant,
        seed=args.seed,
        faults=faults,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server = EmulatorServer(config).start()
    print(f"AEP emulator listening on {server.url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
