"""The packaged table of Stripe's documented field types, and the script that builds it."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS
from airflow_provider_stripe_aep.xdm import stripe_types

ROOT = Path(__file__).resolve().parents[3]
TABLE = ROOT / "airflow_provider_stripe_aep" / "xdm" / "stripe_types.json"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_stripe_types", ROOT / "scripts" / "build_stripe_types.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_table_describes_the_six_resource_paths_and_records_its_source():
    assert stripe_types.resource_paths() == RESOURCE_PATHS
    header = json.loads(TABLE.read_text())["_generated"]
    assert header["source"].startswith("stripe ") and "sha256" in header["source"]
    assert "scripts/build_stripe_types.py" in header["command"]


def test_the_table_carries_stripes_types():
    charges = stripe_types.resource_types("charges")
    assert charges["amount"] == "integer" and charges["created"] == "integer"  # timestamps: integers
    assert charges["customer"] == "string"  # expandable: the ID
    assert charges["metadata"] == "map"
    assert charges["captured"] == "boolean"
    assert charges["shipping"]["address"]["city"] == "string"
    assert stripe_types.resource_types("balance_transactions")["exchange_rate"] == "number"
    assert stripe_types.resource_types("balance_transactions")["fee_details"][0]["amount"] == "integer"
    assert stripe_types.resource_types("prices")["unit_amount_decimal"] == "string"  # a decimal string
    assert stripe_types.resource_types("invoices") == {}


@pytest.mark.parametrize(
    ("documented", "kind"),
    [
        ("string", "string"),
        ("integer", "integer"),
        ("map", "map"),
        ("map<integer>", "map"),
        ({"a": "string"}, "object"),
        (["string"], "array"),
        ("date", None),
        (None, None),
        ([], None),
    ],
)
def test_type_kind(documented: object, kind: str | None):
    assert stripe_types.type_kind(documented) == kind


def test_type_at_enters_objects_and_array_items():
    types = {"a": {"b": [{"c": "integer"}]}, "m": "map"}
    assert stripe_types.type_at(types, ("a", "b", "c")) == "integer"
    assert stripe_types.type_at(types, ("a", "b")) == [{"c": "integer"}]
    assert stripe_types.type_at(types, ("m", "k")) is None
    assert stripe_types.type_at(types, ("x",)) is None


def test_the_committed_table_is_in_the_scripts_format():
    script = _script()
    assert script.render(json.loads(TABLE.read_text())) == TABLE.read_text()


FAKE_CHARGE = """
from decimal import Decimal
from stripe._expandable_field import ExpandableField
from stripe._list_object import ListObject
from stripe._stripe_object import StripeObject, UntypedStripeObject
from typing import ClassVar, Dict, List, Optional, Union
from typing_extensions import Literal, TYPE_CHECKING

if TYPE_CHECKING:
    from stripe._customer import Customer
    from stripe._card import Card as CardResource
    from stripe._bank import Bank


class Charge(StripeObject):
    OBJECT_NAME: ClassVar[Literal["charge"]] = "charge"

    class Shipping(StripeObject):
        class Address(StripeObject):
            city: Optional[str]

        address: Optional[Address]
        tracking: Optional[str]

    class Node(StripeObject):
        child: Optional["Node"]
        value: int

    amount: int
    node: Optional[Node]
    rate: Optional[float]
    paid: bool
    status: Union[Literal["failed", "succeeded"], str]
    deleted: Optional[Literal[True]]
    customer: Optional[ExpandableField["Customer"]]
    metadata: UntypedStripeObject[str]
    counts: Optional[UntypedStripeObject[int]]
    options: Optional[UntypedStripeObject[Shipping]]
    shipping: Optional[Shipping]
    tags: List[str]
    unit_amount_decimal: Optional[Decimal]
    source: Optional[Union["CardResource", "Bank"]]
    mixed: Optional[Union[str, Shipping]]
    refunds: Optional[ListObject["CardResource"]]
    anything: Dict[str, "Any"]
    from_: str
    _private: str
    _field_remappings = {"from_": "from"}
"""
FAKE_CARD = """
from stripe._stripe_object import StripeObject
from typing import Optional


class Card(StripeObject):
    id: str
    brand: str
    last4: Optional[str]
"""
FAKE_BANK = """
from stripe._stripe_object import StripeObject


class Bank(StripeObject):
    id: str
    brand: int
    routing: str
"""
FAKE_LIST = """
from stripe._stripe_object import StripeObject
from typing import Generic, List, TypeVar

T = TypeVar("T")


class ListObject(StripeObject, Generic[T]):
    data: List[T]
    has_more: bool
"""


def test_the_script_reads_stripes_annotations(tmp_path: Path):
    package = tmp_path / "stripe"
    package.mkdir()
    for name, text in [
        ("_charge", FAKE_CHARGE),
        ("_card", FAKE_CARD),
        ("_bank", FAKE_BANK),
        ("_list_object", FAKE_LIST),
    ]:
        (package / f"{name}.py").write_text(textwrap.dedent(text))
    script = _script()
    builder = script.Builder(script.Package(tmp_path), max_depth=8)
    charge = builder.resource("stripe._charge", "Charge", "charges")
    assert charge == {
        "amount": "integer",
        "counts": "map<integer>",
        "customer": "string",
        "deleted": "boolean",
        "from": "string",
        "metadata": "map",
        "node": {"value": "integer"},  # a class already on the path is not entered again
        "paid": "boolean",
        "rate": "number",
        "refunds": {"data": [{"brand": "string", "id": "string", "last4": "string"}], "has_more": "boolean"},
        "shipping": {"address": {"city": "string"}, "tracking": "string"},
        "source": {"id": "string"},  # the fields both variants have with one type
        "status": "string",
        "tags": ["string"],
        "unit_amount_decimal": "string",
    }
    assert sorted(builder.untyped) == [
        "charges.anything",
        "charges.mixed",
        "charges.node.child",
        "charges.options",
    ]
    shallow = script.Builder(script.Package(tmp_path), max_depth=1)
    assert shallow.resource("stripe._charge", "Charge", "charges")["shipping"] == {"tracking": "string"}
    assert "charges.shipping.address" in shallow.untyped
