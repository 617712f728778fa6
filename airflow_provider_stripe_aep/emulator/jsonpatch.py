"""A small RFC 6902 JSON Patch implementation (RFC 6901 pointers)."""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    pass


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"invalid JSON pointer {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, *, allow_end: bool) -> int:
    if token == "-" and allow_end:  # noqa: S105 - RFC 6902 end-of-array marker
        return len(container)
    if not token.isdigit():
        raise PatchError(f"invalid array index {token!r}")
    index = int(token)
    limit = len(container) if allow_end else len(container) - 1
    if index > limit:
        raise PatchError(f"array index {index} out of range")
    return index


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchError("the whole document cannot be the target")
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict):
            if token not in node:
                raise PatchError(f"path {pointer!r} does not exist")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, allow_end=False)]
        else:
            raise PatchError(f"path {pointer!r} does not exist")
    return node, tokens[-1]


def get(doc: Any, pointer: str) -> Any:
    node = doc
    for token in _tokens(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, allow_end=False)]
        else:
            raise PatchError(f"path {pointer!r} does not exist")
    return node


def _add(doc: Any, pointer: str, value: Any) -> None:
    parent, token = _parent(doc, pointer)
    if isinstance(parent, dict):
        parent[token] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, token, allow_end=True), value)
    else:
        raise PatchError(f"path {pointer!r} does not exist")


def _remove(doc: Any, pointer: str) -> Any:
    parent, token = _parent(doc, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise PatchError(f"path {pointer!r} does not exist")
        return parent.pop(token)
    if isinstance(parent, list):
        return parent.pop(_index(parent, token, allow_end=False))
    raise PatchError(f"path {pointer!r} does not exist")


def apply_patch(doc: Any, operations: Any, allowed_ops: frozenset[str] | None = None) -> Any:
    """Return a patched deep copy of ``doc``; raise PatchError on any bad operation."""
    if not isinstance(operations, list):
        raise PatchError("a JSON Patch body must be an array of operations")
    result = copy.deepcopy(doc)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError("every operation needs 'op' and 'path'")
        name, path = op["op"], op["path"]
        if allowed_ops is not None and name not in allowed_ops:
            raise PatchError(f"Unsupported operation '{name}'")
        if name == "add":
            _add(result, path, copy.deepcopy(op.get("value")))
        elif name == "remove":
            _remove(result, path)
        elif name == "replace":
            get(result, path)
            _remove(result, path)
            _add(result, path, copy.deepcopy(op.get("value")))
        elif name == "move":
            _add(result, path, _remove(result, op["from"]))
        elif name == "copy":
            _add(result, path, copy.deepcopy(get(result, op["from"])))
        elif name == "test":
            if get(result, path) != op.get("value"):
                raise PatchError(f"test failed at {path!r}")
        else:
            raise PatchError(f"Unsupported operation '{name}'")
    return result
