"""Build ``airflow_provider_stripe_aep/xdm/stripe_types.json``: the documented field types of the six Stripe
resources, from the type annotations of Stripe's own Python package (``stripe`` on PyPI).

Build-time only; nothing of Stripe's package is imported, executed or committed. Get the package and run::

    pip download --no-deps stripe==16.1.0 -d DIR
    python scripts/build_stripe_types.py DIR/stripe-16.1.0-py3-none-any.whl

The argument is the wheel, or a directory holding the ``stripe/`` package. The annotations are read with
``ast``. Stripe generates them from its OpenAPI document ("File generated from our OpenAPI spec"), so
they carry the same types: ``str``/``int``/``float``/``bool``, nested ``StripeObject`` classes for
nested objects, ``ExpandableField[X]`` for ``anyOf [string, X]``, ``List[X]``, ``ListObject[X]`` for
list envelopes and ``UntypedStripeObject[str]`` for ``metadata``.

Table encoding (compact, no descriptions): ``"string"``, ``"integer"`` (timestamps are integers),
``"number"``, ``"boolean"``; ``"map"`` (string values, as ``metadata``) or ``"map<integer>"``; a JSON
object ``{field: type}`` for a nested object; a one-element list ``[item type]`` for an array.

Rules:

- An expandable reference is a ``"string"``: Stripe returns the ID unless the request expands it, and
  Flow Service's explore and runs do not expand.
- ``Decimal`` (``unit_amount_decimal``) is a string: Stripe sends decimals as strings.
- ``Literal[...]`` (enums) take the type of their values; ``Union[Literal[...], str]`` is a string.
- A union of object types (``charge.source``: Account, BankAccount, Card or Source) is an object with
  the fields every variant has with the same type; a union mixing scalars and objects has no type.
- Nesting stops at ``--max-depth`` objects below the resource and at a class already on the path
  (recursion). Fields without a type under these rules (``Any``, maps of objects, cut-off objects) are
  left out of the table, so the inference cannot type them either, and the script lists them on stderr.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "airflow_provider_stripe_aep" / "xdm" / "stripe_types.json"

#: Flow Service resource path → (module, class) of the Stripe package.
RESOURCES: dict[str, tuple[str, str]] = {
    "charges": ("stripe._charge", "Charge"),
    "subscriptions": ("stripe._subscription", "Subscription"),
    "refunds": ("stripe._refund", "Refund"),
    "balance_transactions": ("stripe._balance_transaction", "BalanceTransaction"),
    "customers": ("stripe._customer", "Customer"),
    "prices": ("stripe._price", "Price"),
}

#: ``Decimal`` fields (``unit_amount_decimal``) are decimal strings in Stripe's JSON (OpenAPI ``type:
#: string, format: decimal``); the package parses them into ``Decimal``.
SCALARS = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "Decimal": "string"}
DEFAULT_MAX_DEPTH = 8

Type = Any  # str | dict[str, Type] | list[Type] | None


class Package:
    """Read-only access to the source files of the ``stripe`` package (wheel or directory)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._modules: dict[str, Module] = {}
        if path.is_file():
            archive = zipfile.ZipFile(path)
            self._read: Callable[[str], str | None] = lambda name: (
                archive.read(name).decode() if name in archive.namelist() else None
            )
        else:
            self._read = lambda name: (path / name).read_text() if (path / name).is_file() else None

    def text(self, name: str) -> str | None:
        return self._read(name)

    def module(self, dotted: str) -> Module | None:
        if dotted not in self._modules:
            base = dotted.replace(".", "/")
            text = self._read(f"{base}.py") or self._read(f"{base}/__init__.py")
            if text is None:
                return None
            self._modules[dotted] = Module(self, dotted, ast.parse(text))
        return self._modules[dotted]

    def version(self) -> tuple[str, str]:
        package = self._read("stripe/_version.py") or ""
        api = self._read("stripe/_api_version.py") or ""
        found = re.search(r"VERSION\s*=\s*\"([^\"]+)\"", package)
        api_found = re.search(r"CURRENT\s*=\s*\"([^\"]+)\"", api)
        return (found.group(1) if found else "?", api_found.group(1) if api_found else "?")


@dataclass
class Module:
    package: Package
    name: str
    tree: ast.Module
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for node in ast.walk(self.tree):  # also the imports under ``if TYPE_CHECKING:``
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (node.module, alias.name)
        self.classes = {n.name: n for n in self.tree.body if isinstance(n, ast.ClassDef)}


@dataclass(frozen=True)
class Scope:
    """Where an annotation is read: its module, the enclosing classes (outermost first), type vars."""

    module: Module
    classes: tuple[ast.ClassDef, ...]
    typevars: tuple[tuple[str, Type], ...] = ()

    def find_class(self, name: str) -> Scope | None:
        """The scope of the class ``name`` as the annotation sees it, or ``None``."""
        for depth in range(len(self.classes), 0, -1):
            for node in self.classes[depth - 1].body:
                if isinstance(node, ast.ClassDef) and node.name == name:
                    return Scope(self.module, (*self.classes[:depth], node))
        if name in self.module.classes:
            return Scope(self.module, (self.module.classes[name],))
        if name in self.module.imports:
            module_name, class_name = self.module.imports[name]
            other = self.module.package.module(module_name)
            if other is not None and class_name in other.classes:
                return Scope(other, (other.classes[class_name],))
        return None

    @property
    def key(self) -> str:
        return f"{self.module.name}." + ".".join(c.name for c in self.classes)


class Builder:
    def __init__(self, package: Package, max_depth: int) -> None:
        self.package = package
        self.max_depth = max_depth
        self.untyped: list[str] = []

    def resource(self, module_name: str, class_name: str, label: str) -> dict[str, Type]:
        module = self.package.module(module_name)
        if module is None or class_name not in module.classes:
            raise SystemExit(f"{module_name}.{class_name} not found in {self.package.path}")
        result = self.object_type(Scope(module, (module.classes[class_name],)), label, 0, ())
        assert isinstance(result, dict)
        return result

    def object_type(
        self, scope: Scope, path: str, depth: int, stack: tuple[str, ...]
    ) -> dict[str, Type] | None:
        if depth > self.max_depth or scope.key in stack:
            return None
        if not scope.typevars:  # a generic envelope (ListObject) may nest in itself with other items
            stack = (*stack, scope.key)
        klass = scope.classes[-1]
        remap = _field_remappings(klass)
        fields: dict[str, Type] = {}
        for node in klass.body:
            if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
                continue
            name = node.target.id
            if name.startswith("_") or _head(node.annotation) == "ClassVar":
                continue
            json_name = remap.get(name, name)
            kind = self.convert(node.annotation, scope, f"{path}.{json_name}", depth, stack)
            if kind is None:
                self.untyped.append(f"{path}.{json_name}")
            else:
                fields[json_name] = kind
        return dict(sorted(fields.items()))

    def convert(self, node: ast.expr, scope: Scope, path: str, depth: int, stack: tuple[str, ...]) -> Type:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):  # forward reference
            return self.convert(ast.parse(node.value, mode="eval").body, scope, path, depth, stack)
        if isinstance(node, ast.Constant) and node.value is None:
            return None
        if isinstance(node, ast.Name):
            if node.id in SCALARS:
                return SCALARS[node.id]
            bound = dict(scope.typevars)
            if node.id in bound:
                return bound[node.id]
            target = scope.find_class(node.id)
            if target is None:
                return None
            return self.object_type(target, path, depth + 1, stack)
        if not isinstance(node, ast.Subscript):
            return None
        head = _head(node)
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Optional":
            return self.convert(args[0], scope, path, depth, stack)
        if head == "Literal":
            return _literal_type([a.value for a in args if isinstance(a, ast.Constant)])
        if head == "ExpandableField":  # the ID unless expanded; explore and runs do not expand
            return "string"
        if head == "List":
            item = self.convert(args[0], scope, path, depth, stack)
            return None if item is None else [item]
        if head in ("UntypedStripeObject", "Dict"):
            value = self.convert(args[-1], scope, path, depth, stack)
            return {"string": "map", "integer": "map<integer>"}.get(value) if isinstance(value, str) else None
        if head == "Union":
            variants = [
                self.convert(a, scope, path, depth, stack)
                for a in args
                if not (isinstance(a, ast.Constant) and a.value is None)
            ]
            return _union_type(variants)
        if head == "ListObject":
            return self.list_object(args[0], scope, path, depth, stack)
        return None

    def list_object(
        self, item: ast.expr, scope: Scope, path: str, depth: int, stack: tuple[str, ...]
    ) -> Type:
        """``ListObject[X]``: the list envelope class with its type variable bound to ``X``."""
        envelope = scope.find_class("ListObject")
        item_type = self.convert(item, scope, f"{path}.data", depth + 1, stack)
        if envelope is None or item_type is None:
            return None
        bound = Scope(envelope.module, envelope.classes, (("T", item_type),))
        return self.object_type(bound, path, depth + 1, stack)


def _head(node: ast.expr) -> str:
    target = node.value if isinstance(node, ast.Subscript) else node
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return ""


def _field_remappings(klass: ast.ClassDef) -> dict[str, str]:
    """``_field_remappings = {"from_": "from"}``: Python names of fields whose JSON name is a keyword."""
    for node in klass.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        value = getattr(node, "value", None)
        if any(isinstance(t, ast.Name) and t.id == "_field_remappings" for t in targets) and value:
            remap = ast.literal_eval(value)
            return {str(k): str(v) for k, v in remap.items()}
    return {}


def _literal_type(values: list[Any]) -> Type:
    kinds = {
        "boolean" if isinstance(v, bool) else "integer" if isinstance(v, int) else "string"
        for v in values
        if v is not None
    }
    return kinds.pop() if len(kinds) == 1 else None


def _union_type(variants: list[Type]) -> Type:
    if not variants or any(v is None for v in variants):
        return None
    if all(v == variants[0] for v in variants):
        return variants[0]
    if all(v in ("integer", "number") for v in variants):
        return "number"
    if all(isinstance(v, dict) for v in variants):  # the fields every variant has, with one type
        common = {k: t for k, t in variants[0].items() if all(v.get(k) == t for v in variants[1:])}
        return common or None
    return None


def build(package_path: Path, max_depth: int) -> tuple[dict[str, Any], list[str]]:
    package = Package(package_path)
    version, api_version = package.version()
    builder = Builder(package, max_depth)
    resources = {label: builder.resource(mod, cls, label) for label, (mod, cls) in RESOURCES.items()}
    digest = hashlib.sha256(package_path.read_bytes()).hexdigest() if package_path.is_file() else None
    source = f"stripe {version} (PyPI), API version {api_version}, type annotations read with ast"
    header = {
        "source": source + (f"; wheel sha256 {digest}" if digest else ""),
        "command": (
            f"pip download --no-deps stripe=={version} -d DIR && "
            f"python scripts/build_stripe_types.py DIR/{package_path.name}"
            + (f" --max-depth {max_depth}" if max_depth != DEFAULT_MAX_DEPTH else "")
        ),
        "encoding": (
            "string|integer|number|boolean; map = map of strings, map<integer>; {field: type} = object; "
            "[type] = array. Expandable references are strings (IDs; explore does not expand). "
            f"Objects below depth {max_depth}, recursive and untypable fields are left out."
        ),
    }
    return {"_generated": header, "resources": resources}, sorted(set(builder.untyped))


def render(table: dict[str, Any]) -> str:
    """JSON with one line for the header and one per resource (compact, yet diffs show the resource)."""
    resources = [
        f"{json.dumps(name)}:{json.dumps(t, sort_keys=True, separators=(',', ':'))}"
        for name, t in table["resources"].items()
    ]
    header = json.dumps(table["_generated"], sort_keys=True, indent=None)
    return "{\n" + f'"_generated":{header},\n"resources":{{\n' + ",\n".join(resources) + "\n}\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stripe_package", type=Path, help="the stripe wheel, or a directory with stripe/")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--max-depth", type=int, default=DEFAULT_MAX_DEPTH)
    args = parser.parse_args(argv)
    table, untyped = build(args.stripe_package, args.max_depth)
    args.out.write_text(render(table))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)", file=sys.stderr)
    for path in untyped:
        print(f"left out (no type under the rules): {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
