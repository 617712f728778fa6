"""docs/performance.md: how to reproduce, what each figure means, the last printed results."""

from __future__ import annotations

INTRO = """# Performance

What the provider costs the Airflow it runs in, measured side by side in one run: the parse time
it adds to every DAG file, the AEP calls an onboarding makes, how many waiting runs one triggerer
holds, and how long an onboarding's critical path is. Benchmarks print numbers; no test asserts a
speed.

## Reproduce

```
make bench
```

`make bench` creates `.venv` if needed (Airflow {airflow_note}), installs the dbt Cloud provider for
the side-by-side measurement into `.bench/dbt-cloud` (not a project dependency), runs
`python -m benchmarks`, prints the table below and rewrites this file. It takes about ten minutes on
two cores, most of it the triggerer runs (six runs of one poll interval plus one observed interval).
`python -m benchmarks --help` lists the knobs (samples, trigger counts, intervals, latencies).

## What is measured

1. **Parse overhead.** Each sample is a process forked from an interpreter that has imported
   `airflow.sdk` and the DagBag but never the provider (Airflow's DAG processor forks its parsers
   the same way); the figure is the median of `--runs` samples (15 by default) of the CPU time
   (user + system) of importing every module of our `operators`, `sensors`, `hooks` and `triggers`
   packages, next to the same for the dbt Cloud provider, and of `DagBag` parsing each example DAG
   file next to a nine-task DAG that imports no provider. CPU time is the headline because the
   machine is shared: wall time there mostly measures the neighbours (it is printed too).
2. **API calls per onboarding.** The emulator's request log, by kind, for `dag.test()` runs of the
   example DAGs: a fresh onboarding of one resource (`stripe_to_aep_onboarding`) and of all six
   (`stripe_to_aep_all_resources`, when that DAG is in `example_dags/`), a re-run of each, and a run
   with one process per task. That last one is `dag.test()` with the process's IMS token cache
   emptied whenever a task builds its AEP client: what a fresh process per task (LocalExecutor,
   Celery) sees, since every task builds its own hook and client in both. The minimum is what the
   API needs: one POST per resource created, one lookup per resource the onboarding manages (the
   idempotent get-or-create), one explore per path, the tenant once, and one token per process that
   calls AEP. Run polls of the sensor depend on timing and are counted apart.
3. **Triggerer capacity.** K waiting-run pollers in one asyncio loop against the emulator in its
   own process, answering every call 200 ms late; poll interval 30 s; triggers start spread over one
   interval, then one more interval is observed. `thread` is the trigger class as it is
   (`AEPDataflowRunTrigger`, blocking client in `asyncio.to_thread`, whose default executor has
   min(32, CPUs + 4) threads); `async` is the same loop shape polling with `hook.alatest_run`, the
   async sender in `client/async_http.py` (httpx, one shared connection pool per loop). Memory is RSS
   growth per trigger; loop lag is how late a 50 ms ticker wakes; a poll is late by how long after
   its due time (previous answer + interval) its answer arrived.
4. **Critical path.** From the one-process-per-task runs, with the emulator adding a fixed latency
   to every call: the longest chain of dependent API calls through each DAG's task graph (the
   sensor's waiting left out) against the floor the API's dependencies allow, and the wall time of
   that chain from the measured task durations (tasks on independent branches overlap, as under a
   scheduler with enough parallelism), against all tasks in a row.

## Last results

Printed by the command below, exactly:

```
{printed}
```

## Reading the results

{findings}
"""

FINDINGS = """- **Parse.** Importing the operators, sensor, hooks and triggers no longer loads `requests`,
  `urllib3`, the AEP client or XDM inference: the hook imports the client when it first builds one,
  the client package loads only its errors and config, and the schema and mapping operators import
  `xdm` in `execute`. `tests/unit/test_lazy_imports.py` keeps it so. `httpx`, `pendulum` and
  `tenacity` are already loaded by `airflow.sdk`. Before this change the import overhead was about
  half of dbt Cloud's (mostly `requests`).
- **API calls.** Above the minimum and kept for safety: the Data Prep validation POST before a
  mapping set is created (a bad mapping fails before anything is made) and, on a re-run, the GET of
  the existing schema that checks its field groups (a conflict is reported, not silently reused).
  The tenant ID is now asked once per process and org (`client/schema_registry.py`); with one
  process per task the schema and mapping tasks still ask once each: the mapping task could take
  the tenant from the schema task's `tenant_id` XCom instead (operators/mapping.py, left to its
  owner). Tokens: one per process, shared by every client with the same credential.
- **Triggerer.** With a thread per poll, capacity is the executor's threads divided by the answer
  time: on two CPUs, 6 threads / 0.2 s = 30 polls/s, below the 33 polls/s that 1000 triggers at a
  30 s interval need, so polls queue and triggers fall further behind every interval; the thread
  pool is also shared with everything else the triggerer runs in threads. The async sender has no
  such ceiling. The trigger (triggers/dataflow_run.py) still polls in a thread: see "Wiring" below.
- **Critical path.** `dag.test()` runs tasks one after another; the critical-path figure is what a
  scheduler with enough parallelism gets. Every task pays a token call first when each task is its
  own process.

## Wiring the trigger to the async sender

`AdobeExperiencePlatformHook.alatest_run(flow_id)` reads the newest run on the event loop. In
`AEPDataflowRunTrigger.run`, replace

```python
client = await AdobeExperiencePlatformHook(self.aep_conn_id).aget_client()
...
run = await asyncio.to_thread(client.flows.latest_run, self.flow_id)
```

with

```python
hook = AdobeExperiencePlatformHook(self.aep_conn_id)
...
run = await hook.alatest_run(self.flow_id)
```

Errors are the same `AEPError` types, retries the connection's retry policy (GETs only).
"""


def render(command: str, printed: str, airflow_note: str = "3.3.2: Airflow 2.11 has no airflow.sdk") -> str:
    return INTRO.format(airflow_note=airflow_note, printed=f"$ {command}\n{printed}", findings=FINDINGS)
