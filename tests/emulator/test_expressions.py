"""The Data Prep expression checker on its own: documented forms pass, the rest names its problem."""

from __future__ import annotations

import re

import pytest

from airflow_provider_stripe_aep.emulator.expressions import (
    FUNCTIONS,
    ExpressionError,
    check_expression,
    source_field_exists,
    split_path,
)
from airflow_provider_stripe_aep.xdm.inference import EE_TIMESTAMP_EXPRESSION


@pytest.mark.parametrize(
    ("expression", "fields"),
    [
        (EE_TIMESTAMP_EXPRESSION, ["data.created"]),
        ('concat("Hi, ", "there", "!")', []),
        ('iif("s".equalsIgnoreCase("S"), "True", "False")', []),
        ('str_to_object("a - b", "-", ";").get("a")', []),
        ('decode(stateCode, "ca", "California", "N/A")', ["stateCode"]),
        ('join(" ", to_array(true, "Hello", "world"))', []),
        ("add_to_array(['a', 'b'], 'c', 'd')", []),
        ("data.first\\.name", ["data.first\\.name"]),
        ("${First Name}", ["First Name"]),
        ("${new}", ["new"]),
        ('json_to_object({"info": {"firstName": "John"}})', []),
        ("a ? b : c", ["a", "b", "c"]),
        ("x mod 2 eq 0 and not y", ["x", "y"]),
        ("-data.amount / 100", ["data.amount"]),
        ("now()", []),
    ],
)
def test_documented_forms_pass(expression: str, fields: list[str]) -> None:
    assert check_expression(expression) == fields


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("nosuchfn(data.id)", "unknown function 'nosuchfn'"),
        ("lower(data.id", "expected ')'"),
        ("lower(data.id))", "unexpected ')'"),
        ('lower("abc)', "unclosed string"),
        ("lower(a, b)", "takes 1 argument"),
        ("substr(a, 1)", "takes 3 argument"),
        ("concat()", "at least 1"),
        ("data.x.foo(1)", "unknown method 'foo'"),
        ("new", "reserved keyword"),
        ("", "empty"),
        ("a +", "expected a value"),
        ("a # b", "unexpected character"),
        ("${unclosed", "unclosed '${'"),
        ("a ? b", "expected ':'"),
    ],
)
def test_bad_expressions_say_why(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        check_expression(expression)


def test_function_table_has_the_documented_functions() -> None:
    for name in ("dformat", "lower", "concat", "iif", "to_integer", "sha256", "ua_device_class", "coalesce"):
        assert name in FUNCTIONS
    assert FUNCTIONS["dformat"] == (2, 2) and FUNCTIONS["date"] == (1, 3)


SCHEMA = {
    "type": "object",
    "properties": {
        "data": {
            "type": "object",
            "properties": {
                "unknown": {},
                "empty": {"type": "object", "properties": {}},
                "tags": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"k": {"type": "string"}}},
                },
                "name": {"type": "string"},
                "a.b": {"type": "string"},
            },
        }
    },
}


@pytest.mark.parametrize(
    ("path", "exists"),
    [
        ("data.name", True),
        ("data.unknown.anything", True),
        ("data.empty.anything", True),
        ("data.tags.k", True),
        ("data.tags.z", False),
        ("data.name.inner", False),
        ("data.missing", False),
        ("data.a\\.b", True),
        ("other", False),
    ],
)
def test_source_fields(path: str, exists: bool) -> None:
    assert source_field_exists(SCHEMA, path) is exists


def test_split_path_keeps_escaped_dots() -> None:
    assert split_path("a.b\\.c.d") == ["a", "b.c", "d"]
