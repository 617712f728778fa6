"""`make bench`: every benchmark, one table on stdout, the same text in `docs/performance.md`.

.venv/bin/python -m benchmarks [--runs 15] [--trigger-counts 100,500,1000] [--thread-counts 1000]
    [--observe 30]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from benchmarks import parse_overhead
from benchmarks.common import ROOT, Row, airflow_env, machine_lines, median, percentile, render_table

DOC = ROOT / "docs" / "performance.md"
POLL = "GET /flowservice/runs"
TOKEN = "IMS token"  # noqa: S105 - a label, not a secret
CREATE_FLOOR = 8
"""Dependent calls no onboarding can avoid: token, base connection, explore, field group, schema,
dataset, target connection, dataflow (source connection, tenant and mapping set run beside them)."""
LOOKUP_FLOOR = 14
"""The same with the look-before-create each of the six dependent creates needs to be idempotent."""
TRIGGER_TARGETS = {"lag_p99": 0.1}
KEEP_UP = 0.95
"""A poller that completes fewer polls than this share of those due falls further behind every
interval, however late it is at the end of the observed window."""


def child(args: list[str], timeout: float) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and modules
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=airflow_env(),
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{out.stderr[-4000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# API calls ----------------------------------------------------------------------------------------
def _kinds(requests: list[str]) -> dict[str, int]:
    counts = Counter(requests)
    return {
        "tokens": counts[TOKEN],
        "gets": sum(n for k, n in counts.items() if k.startswith("GET ") and k != POLL),
        "posts": sum(n for k, n in counts.items() if k.startswith("POST ")),
        "polls": counts[POLL],
        "other": sum(n for k, n in counts.items() if k.split(" ")[0] in ("PATCH", "PUT", "DELETE")),
    }


def _minimum(run: dict[str, Any], fresh: dict[str, Any], paths: int, per_task: bool) -> dict[str, int]:
    """What the API needs: a token per process that calls AEP, a lookup per resource the onboarding
    manages, an explore per path, the tenant once, and a POST per resource it creates."""
    calling_tasks = sum(1 for t in run["tasks"] if any(r != TOKEN for r in t["requests"]))
    return {"tokens": calling_tasks if per_task else 1, "gets": fresh["created"] + paths + 1}


def api_rows(runs: dict[str, Any]) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    notes: list[str] = []
    scenarios = [
        ("one_fresh", "one resource, fresh, one process", "one_fresh", 1, False),
        ("one_rerun", "one resource, re-run, one process", "one_fresh", 1, False),
        ("one_per_task", "one resource, fresh, one process per task", "one_per_task", 1, True),
        ("six_fresh", "six resources, fresh, one process", "six_fresh", 6, False),
        ("six_rerun", "six resources, re-run, one process", "six_fresh", 6, False),
        ("six_per_task", "six resources, fresh, one process per task", "six_per_task", 6, True),
    ]
    for key, label, fresh_key, paths, per_task in scenarios:
        if key not in runs:
            rows.append(
                Row("2 API calls", label, "not measured: stripe_to_aep_all_resources is not in example_dags")
            )
            continue
        run, fresh = runs[key], runs[fresh_key]
        got = _kinds(run["requests"])
        minimum = _minimum(run, fresh, paths, per_task)
        minimum["posts"] = 0 if key.endswith("rerun") else run["created"]
        total = got["tokens"] + got["gets"] + got["posts"] + got["other"]
        floor = minimum["tokens"] + minimum["gets"] + minimum["posts"]
        value = (
            f"{got['tokens']} tokens, {got['gets']} GET, {got['posts']} POST, {got['other']} other "
            f"(+{got['polls']} run polls) = {total}"
        )
        target = f"min {minimum['tokens']} tokens, {minimum['gets']} GET, {minimum['posts']} POST = {floor}"
        rows.append(
            Row("2 API calls", label, value, target, "yes" if total <= floor else f"+{total - floor}")
        )
        if key in ("one_fresh", "one_per_task"):
            by_path = Counter(r for r in run["requests"] if r != POLL)
            notes.append(f"{label}: " + ", ".join(f"{k} x{n}" for k, n in sorted(by_path.items())))
    return rows, notes


# Critical path ------------------------------------------------------------------------------------
def _longest(run: dict[str, Any], weight: dict[str, float]) -> tuple[float, list[str]]:
    upstream: dict[str, list[str]] = run["upstream"]
    best: dict[str, tuple[float, list[str]]] = {}

    def visit(task: str) -> tuple[float, list[str]]:
        if task not in best:
            before = max((visit(u) for u in upstream.get(task, [])), default=(0.0, []), key=lambda x: x[0])
            best[task] = (before[0] + weight.get(task, 0.0), [*before[1], task])
        return best[task]

    return max((visit(t) for t in upstream), key=lambda x: x[0])


def critical_rows(runs: dict[str, Any]) -> tuple[list[Row], dict[str, float]]:
    rows: list[Row] = []
    walls: dict[str, float] = {}
    latency = runs["latency"]
    for key, label in (("one_per_task", "one resource"), ("six_per_task", "six resources")):
        if key not in runs:
            rows.append(
                Row(
                    "4 critical path",
                    label,
                    "not measured: stripe_to_aep_all_resources is not in example_dags",
                )
            )
            continue
        run = runs[key]
        waits = {t["task_id"] for t in run["tasks"] if all(r in (TOKEN, POLL) for r in t["requests"])}
        calls = {
            t["task_id"]: float(len([r for r in t["requests"] if r != POLL]))
            for t in run["tasks"]
            if t["task_id"] not in waits
        }
        chain, path = _longest(run, calls)
        tokens = {
            t["task_id"]: float(t["requests"].count(TOKEN)) for t in run["tasks"] if t["task_id"] in calls
        }
        chain_tokens = sum(tokens[p] for p in path if p in tokens)
        on_chain = sum(1 for p in path if p in calls)
        floor = LOOKUP_FLOOR + on_chain - 1  # a token per task process on the chain
        rows.append(
            Row(
                "4 critical path",
                f"{label} ({run['dag_id']}): longest chain of dependent API calls, one process per task",
                f"{chain:.0f} calls, {chain - chain_tokens + 1:.0f} counting one token, via "
                + " > ".join(p.rsplit(".", 1)[-1] for p in path if p in calls),
                f"API floor {CREATE_FLOOR} (creates only), {LOOKUP_FLOOR} with look-before-create, "
                f"{floor} with a token per task",
                "yes" if chain <= floor else f"+{chain - floor:.0f}",
            )
        )
        seconds = {t["task_id"]: t["seconds"] for t in run["tasks"] if t["task_id"] not in waits}
        wall, _ = _longest(run, seconds)
        walls[key] = wall
        rows.append(
            Row(
                "4 critical path",
                f"{label}: wall time at +{latency * 1000:.0f} ms per call (critical path / tasks in a row)",
                f"{wall:.2f} s / {sum(seconds.values()):.2f} s (dag.test {run['wall']:.1f} s)",
            )
        )
    if "one_per_task" in walls and "six_per_task" in walls:
        ratio = walls["six_per_task"] / walls["one_per_task"]
        rows.append(
            Row(
                "4 critical path",
                "six / one wall time on the critical path",
                f"{ratio:.2f}x",
                "<= 1.5x",
                "yes" if ratio <= 1.5 else "NO",
            )
        )
    return rows, walls


# Triggerer ----------------------------------------------------------------------------------------
def trigger_rows(results: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for r in results:
        lags = r["lags_window"] or r["lags_all"]
        p50, p99 = percentile(lags, 50) * 1000, percentile(lags, 99) * 1000
        worst = max(r["worst_per_trigger"]) if r["worst_per_trigger"] else 0.0
        late = sum(1 for w in r["worst_per_trigger"] if w > r["interval"])
        lateness = r["lateness"] or [0.0]
        keeps_up = r["polls_per_second"] >= KEEP_UP * r["due_per_second"]
        ok = r["failed"] == 0 and p99 < TRIGGER_TARGETS["lag_p99"] * 1000 and late == 0 and keeps_up
        pool = f", {r['executor_threads']} executor threads" if r["mode"] == "thread" else ""
        rows.append(
            Row(
                "3 triggerer",
                f"{r['triggers']} triggers, {r['mode']} polls{pool}",
                f"{r['rss_per_trigger'] / 1024:.0f} KiB/trigger; loop lag p50 {p50:.1f} ms p99 {p99:.1f} ms; "
                f"{r['polls_per_second']:.1f} polls/s done vs {r['due_per_second']:.1f} due; late p50 "
                f"{median(lateness):.2f} s, worst {worst:.1f} s, {late} triggers > 1 interval late"
                + (f"; {r['failed']} FAILED {r['errors']}" if r["failed"] else ""),
                "p99 < 100 ms, none > 1 interval late, polls done >= 95% of due",
                "yes" if ok else "NO",
            )
        )
    return rows


# Waits per flow ------------------------------------------------------------------------------------
FLEET_GET_RATIO = 1.1
"""`GET /runs` per interval may exceed the floor (one read per flow, one page each here) by this much."""


def fleet_rows(results: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for r in results:
        lags = r["lags_window"] or r["lags_all"]
        p99 = percentile(lags, 99) * 1000
        worst = max(r["worst_per_trigger"]) if r["worst_per_trigger"] else 0.0
        late = sum(1 for w in r["worst_per_trigger"] if w > r["interval"])
        lateness = r["lateness"] or [0.0]
        floor = r["flows"]
        ratio = r["gets_per_interval"] / floor
        ok = (
            r["failed"] == 0
            and ratio <= FLEET_GET_RATIO
            and p99 < TRIGGER_TARGETS["lag_p99"] * 1000
            and late == 0
        )
        design = "shared poll per flow (shipped)" if r["mode"] == "async" else "one poll per wait (before)"
        rows.append(
            Row(
                "5 waits per flow",
                f"{r['triggers']} waits on {r['flows']} flows, {r['interval']:.0f} s interval, {design}",
                f"{r['gets_per_interval']:.0f} GET /runs per interval = {ratio:.2f}x floor {floor}; "
                f"loop lag p99 {p99:.1f} ms; {r['rss_per_trigger'] / 1024:.1f} KiB/wait; answers late p50 "
                f"{median(lateness):.2f} s, p99 {percentile(lateness, 99):.2f} s, worst {worst:.1f} s, "
                f"{late} waits > 1 interval late"
                + (f"; {r['failed']} FAILED {r['errors']}" if r["failed"] else ""),
                f"<= {FLEET_GET_RATIO}x floor, p99 < 100 ms, none > 1 interval late",
                "yes" if ok else "NO",
            )
        )
    return rows


def fleet_results(args: argparse.Namespace) -> list[dict[str, Any]]:
    waits, flows = (int(n) for n in args.fleet.split("x"))
    results = []
    for mode in ("per-wait", "async"):
        print(f"    {waits} waits on {flows} flows, {mode}", file=sys.stderr, flush=True)
        results.append(
            child(
                [
                    "benchmarks.triggerer",
                    "--mode",
                    mode,
                    "--triggers",
                    str(waits),
                    "--flows",
                    str(flows),
                    "--interval",
                    str(args.fleet_interval),
                    "--observe",
                    str(args.fleet_interval),
                    "--latency",
                    str(args.latency),
                ],
                timeout=2 * args.fleet_interval + 600,
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--runs", type=int, default=15, help="fresh-interpreter samples per parse figure")
    parser.add_argument("--trigger-counts", default="100,500,1000")
    parser.add_argument(
        "--thread-counts",
        default="1000",
        help="trigger counts also run with the replaced thread-per-poll design",
    )
    parser.add_argument("--interval", type=float, default=30.0, help="trigger poll interval, seconds")
    parser.add_argument(
        "--observe", type=float, default=30.0, help="seconds measured after all triggers start"
    )
    parser.add_argument("--latency", type=float, default=0.2, help="emulator latency for the triggerer, s")
    parser.add_argument("--path-latency", type=float, default=0.1, help="emulator latency, critical path, s")
    parser.add_argument(
        "--fleet", default="5000x50", help="waits x flows for the waits-per-flow runs (both designs)"
    )
    parser.add_argument(
        "--fleet-interval", type=float, default=30.0, help="poll interval of the waits-per-flow runs, s"
    )
    parser.add_argument(
        "--only-fleet",
        action="store_true",
        help="run only the waits-per-flow part; print it, and its section of docs/performance.md",
    )
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/performance.md")
    args = parser.parse_args()
    command = " ".join(["make bench  (= .venv/bin/python -m benchmarks", *sys.argv[1:]]) + ")"
    if args.only_fleet:
        command = " ".join([".venv/bin/python -m benchmarks", *sys.argv[1:]])
    began = time.monotonic()
    header = machine_lines()
    print("\n".join(header), flush=True)
    if args.only_fleet:
        print("5/5 waits per flow ...", file=sys.stderr, flush=True)
        table = render_table(fleet_rows(fleet_results(args)))
        print(table)
        if not args.no_doc:
            write_fleet_doc(command, header, table)
        return

    rows: list[Row] = []
    print("1/4 parse overhead ...", file=sys.stderr, flush=True)
    parse_rows, parse_details = parse_overhead.measure(runs=args.runs)
    rows += parse_rows

    print("2/4 + 4/4 onboarding runs ...", file=sys.stderr, flush=True)
    runs = child(["benchmarks.onboarding_runs", str(args.path_latency)], timeout=1500)
    calls, call_notes = api_rows(runs)
    rows += calls

    print("3/4 triggerer ...", file=sys.stderr, flush=True)
    results = []
    thread_counts = {int(c) for c in args.thread_counts.split(",") if c}
    for count in [int(c) for c in args.trigger_counts.split(",") if c]:
        for mode in ("thread", "async") if count in thread_counts else ("async",):
            print(f"    {count} triggers, {mode}", file=sys.stderr, flush=True)
            results.append(
                child(
                    [
                        "benchmarks.triggerer",
                        "--mode",
                        mode,
                        "--triggers",
                        str(count),
                        "--interval",
                        str(args.interval),
                        "--observe",
                        str(args.observe),
                        "--latency",
                        str(args.latency),
                    ],
                    timeout=args.interval + args.observe + 600,
                )
            )
    rows += trigger_rows(results)
    print("5/5 waits per flow ...", file=sys.stderr, flush=True)
    fleet_table = render_table(fleet_rows(fleet_results(args)))
    path_rows, _ = critical_rows(runs)
    rows += path_rows

    table = render_table(rows)
    footer = [f"requests per kind: {note}" for note in call_notes] + [
        f"example DAGs: {', '.join(runs['dags'])}",
        f"took {time.monotonic() - began:.0f} s",
    ]
    print(table)
    print(fleet_table)
    print("\n".join(footer))
    if not args.no_doc:
        ratio = parse_details.get("ratio")
        write_doc(command, header, table, footer, ratio if isinstance(ratio, float) else None)
        write_fleet_doc(command, header, fleet_table)


def write_doc(
    command: str, header: list[str], table: str, footer: list[str], parse_ratio: float | None
) -> None:
    from benchmarks.report import render

    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(command, "\n".join([*header, "", table, "", *footer]), parse_ratio))
    print(f"wrote {DOC.relative_to(ROOT)}")


def write_fleet_doc(command: str, header: list[str], table: str) -> None:
    """Replace (or add) the waits-per-flow section of docs/performance.md."""
    from benchmarks.report import with_fleet_section

    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    DOC.write_text(with_fleet_section(text, command, "\n".join([*header, "", table])))
    print(f"wrote {DOC.relative_to(ROOT)} (waits per flow)")


if __name__ == "__main__":
    main()
