"""The users' pytest plugin loads for every user of the package: it must import nothing heavy, and its
emulator fixture must fail with a clear message when the `[emulator]` extra is not installed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points

import airflow_provider_stripe_aep.pytest_plugin as plugin


def test_the_plugin_is_registered_as_a_pytest11_entry_point():
    (entry,) = [e for e in entry_points(group="pytest11") if e.value == plugin.__name__]
    assert entry.load() is plugin


def test_importing_the_plugin_imports_neither_airflow_nor_the_web_stack():
    code = (
        "import json, sys; import airflow_provider_stripe_aep.pytest_plugin; "
        "print(json.dumps(sorted(m for m in ('airflow', 'fastapi', 'uvicorn', 'starlette', 'requests', "
        "'httpx') if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_without_the_emulator_extra_the_fixture_fails_naming_the_extra(tmp_path):
    # fastapi and uvicorn made unimportable for the inner pytest, as when the extra is not installed
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import sys
            for name in ("fastapi", "uvicorn"):
                sys.modules[name] = None
            """
        )
    )
    (tmp_path / "test_user.py").write_text("def test_uses_it(aep_emulator):\n    pass\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "1 error" in done.stdout
    assert "The aep_emulator fixture needs the [emulator] extra" in done.stdout
    assert ' install "airflow-provider-stripe-aep[emulator]"' in done.stdout  # the command to run


def test_the_connections_point_at_the_server():
    class Server:
        url = "http://127.0.0.1:5"
        ims_url = "http://127.0.0.1:5/ims/token/v3"

    env = plugin.connection_env(Server())
    aep = json.loads(env["AIRFLOW_CONN_AEP_DEFAULT"])
    assert aep["host"] == Server.url and aep["extra"]["ims_token_url"] == Server.ims_url
    assert json.loads(env["AIRFLOW_CONN_STRIPE_DEFAULT"])["password"] == plugin.STRIPE_KEY
    assert json.loads(env["AIRFLOW_CONN_PAYPAL_DEFAULT"])["login"]
