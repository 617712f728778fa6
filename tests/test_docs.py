"""What the README and every page under docs/ name exists: each dotted path imports, each DAG id is an
example DAG, each `make` target is in the Makefile, each repository path and each page link exists.
Pages added later are read too (docs/*.md)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from aep_testing import EXAMPLE_DAGS, dag_bag

from airflow_provider_stripe_aep.version_compat import NeedsAirflow3Error

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "airflow_provider_stripe_aep"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Names right under the package: a backticked `operators.x.Y` means <package>.operators.x.Y
TOP = sorted(
    p.stem for p in (ROOT / PACKAGE).iterdir() if not p.name.startswith("_") and p.suffix in ("", ".py")
)

CODE_SPAN = re.compile(r"`([^`]+)`")  # may run over a line break
CODE_BLOCK = re.compile(r"```[^\n]*\n(.*?)```", re.S)
FULL_PATH = re.compile(rf"\b{PACKAGE}(?:\.\w+)+")
SHORT_PATH = re.compile(rf"(?<![\w./]){'(?:' + '|'.join(TOP) + ')'}(?:\.\w+)+")
FROM_IMPORT = re.compile(rf"from ({PACKAGE}(?:\.\w+)*) import ([\w, ]+)")
DAG_ID = re.compile(r"(?<![\w.])[a-z0-9]+(?:_[a-z0-9]+)*_to_aep_[a-z0-9_]+\b")
DAGS_COMMAND = re.compile(r"\bairflow dags \w+ ([a-z0-9]+_[a-z0-9_]+)")
MAKE = re.compile(r"^make ([\w-]+)")
REPO_PATH = re.compile(
    r"^(?:tests|docs|example_dags|scripts|benchmarks|\.ci|airflow_provider_stripe_aep)/[\w./-]*$"
)
MD_NAME = re.compile(r"^[\w.-]+\.md$")  # `DESIGN.md`: at the top or under docs/
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def code_of(text: str) -> list[str]:
    """The code spans and the lines of the code blocks."""
    blocks = CODE_BLOCK.findall(text)
    spans = [" ".join(span.split()) for span in CODE_SPAN.findall(CODE_BLOCK.sub("", text))]
    return spans + [line.strip() for block in blocks for line in block.splitlines()]


def dotted_paths(text: str) -> set[str]:
    found = set(FULL_PATH.findall(text))
    found |= {f"{PACKAGE}.{m}" for code in code_of(text) for m in SHORT_PATH.findall(code) if names_code(m)}
    for module, names in FROM_IMPORT.findall(text):
        found |= {f"{module}.{name.strip()}" for name in names.split(",") if name.strip()}
    return found


def names_code(short: str) -> bool:
    """`operators.checks.X`, `links.dataset_asset`, `task_groups.TableSource` name our code; a one-dot
    `xdm.type` into a package is a JSON field unless it names a module or a class there."""
    first, rest = short.split(".", 1)
    if "." in rest or (ROOT / PACKAGE / f"{first}.py").exists():
        return True
    return rest[:1].isupper() or (ROOT / PACKAGE / first / f"{rest}.py").exists()


def resolve(dotted: str) -> object:
    """The module or attribute a dotted path names (the longest importable module, then attributes)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ModuleNotFoundError(dotted)


def package_names() -> set[str]:
    """Names the package defines that look like DAG ids (the onboarding group functions)."""
    task_groups = importlib.import_module(f"{PACKAGE}.task_groups")
    return set(vars(task_groups))


def make_targets() -> set[str]:
    return set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.M))


@pytest.fixture(scope="module")
def example_dag_ids() -> set[str]:
    return set(dag_bag(EXAMPLE_DAGS).dags)


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_dotted_path_imports(page):
    missing = []
    for dotted in sorted(dotted_paths(page.read_text())):
        try:
            resolve(dotted)
        except NeedsAirflow3Error:  # Airflow-3-only modules refuse Airflow 2 by design
            continue
        except (ImportError, AttributeError) as exc:
            missing.append(f"{dotted}: {exc}")
    assert missing == []


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_dag_id_is_an_example_dag(page, example_dag_ids):
    text = page.read_text()
    named = (set(DAG_ID.findall(text)) | set(DAGS_COMMAND.findall(text))) - package_names()
    assert sorted(named - example_dag_ids) == []


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_make_target_exists(page):
    named = {m for code in code_of(page.read_text()) for m in MAKE.findall(code)}
    assert sorted(named - make_targets()) == []


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_repository_path_and_page_link_exists(page):
    text = page.read_text()
    paths = {code for code in code_of(text) if REPO_PATH.match(code)}
    pages = {code for code in code_of(text) if MD_NAME.match(code)}
    paths |= {page_name for page_name in pages if not (ROOT / "docs" / page_name).exists()}
    links = {(page.parent / link).resolve() for link in LINK.findall(text) if "://" not in link}
    missing = sorted(p for p in paths if not (ROOT / p.rstrip("/")).exists())
    missing += sorted(str(link) for link in links if not link.exists())
    assert missing == []


def test_the_checks_see_what_the_pages_name():
    """The patterns find what they are for (so a check cannot pass by finding nothing)."""
    text = "\n".join(page.read_text() for page in PAGES)
    assert f"{PACKAGE}.task_groups.stripe_to_aep_onboarding_group" in dotted_paths(text)
    assert f"{PACKAGE}.operators.checks.AEPValidateOnboardingOperator" in dotted_paths(text)
    assert {"stripe_to_aep_onboarding", "payments_to_aep_onboarding"} <= set(DAG_ID.findall(text))
    assert {"demo", "test", "test-real"} <= {m for code in code_of(text) for m in MAKE.findall(code)}
    sample = "`operators.nothing.Here` `xdm.type` `make nothing` `stripe_to_aep_nothing` `tests/nothing.py`"
    assert dotted_paths(sample) == {f"{PACKAGE}.operators.nothing.Here"}
    assert MAKE.findall("make nothing") == ["nothing"]
    with pytest.raises(AttributeError):
        resolve(f"{PACKAGE}.operators.nothing.Here")
