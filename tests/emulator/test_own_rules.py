"""The emulator shares no validation rules with the client: from the provider's other modules it
imports constants such as spec IDs only (DESIGN.md), so a misreading of the API cannot hide in both."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import airflow_provider_stripe_aep.emulator as emulator

CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*(_ID|_IDS|_CONTENT_TYPE|_FORMAT|_NAME)$")
DOCUMENTED_LISTS = {"RESOURCE_PATHS"}  # the six Stripe resource paths of the reference (§7)


def test_the_emulator_imports_only_constants_from_the_rest_of_the_package():
    borrowed = []
    for module in sorted(Path(emulator.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [(alias.name, "*") for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [(node.module, alias.name) for alias in node.names]
            else:
                continue
            for source, name in names:
                if not source.startswith("airflow_provider_stripe_aep") or ".emulator" in source:
                    continue
                if not (CONSTANT.match(name) or name in DOCUMENTED_LISTS):
                    borrowed.append(f"{module.name}: {name} from {source}")
    assert borrowed == []
