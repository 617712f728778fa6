"""Data Prep mapping expressions: a parser that checks what Adobe documents and nothing more.

Source: "Data Prep mapping functions" (AdobeDocs/experience-platform.en help/data-prep/functions.md):
the function table (names and parameters, required/optional), field names (identifiers, ``${...}``
for other names, dot notation for sub-fields, ``\\.`` for a dot inside a name), the reserved
keywords, and the method forms ``STRING1.equals(STRING2)``, ``.equalsIgnoreCase(...)`` and
``str_to_object(...).get(KEY)``. The page does not list operators; the reserved keywords (``mod``,
``div``, ``eq``, ``ne``, ``lt``, ``gt``, ``le``, ``ge``, ``and``, ``or``, ``not``) are those of an
expression language with arithmetic, comparison and logical operators, which are accepted here.

:func:`check_expression` returns the source field paths the expression reads, or raises
:class:`ExpressionError` with a message naming the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VARIADIC = 99

#: name -> (minimum, maximum) number of arguments, from the function table.
FUNCTIONS: dict[str, tuple[int, int]] = {
    # String functions
    "concat": (1, VARIADIC),
    "explode": (1, 2),
    "instr": (2, 4),
    "replacestr": (3, 3),
    "substr": (3, 3),
    "lower": (1, 1),
    "lcase": (1, 1),
    "upper": (1, 1),
    "ucase": (1, 1),
    "split": (2, 2),
    "join": (2, VARIADIC),
    "lpad": (3, 3),
    "rpad": (3, 3),
    "left": (2, 2),
    "right": (2, 2),
    "ltrim": (1, 1),
    "rtrim": (1, 1),
    "trim": (1, 1),
    # Regular expression functions
    "extract_regex": (2, 2),
    "matches_regex": (2, 2),
    # Hashing functions
    "sha1": (1, 2),
    "sha256": (1, 2),
    "sha512": (1, 2),
    "md5": (1, 2),
    "crc32": (1, 2),
    # URL functions
    "get_url_protocol": (1, 1),
    "get_url_host": (1, 1),
    "get_url_port": (1, 1),
    "get_url_path": (1, 2),
    "get_url_query_str": (2, 2),
    "get_url_encoded": (1, 1),
    "get_url_decoded": (1, 1),
    # Date and time functions
    "now": (0, 0),
    "timestamp": (0, 0),
    "format": (2, 2),
    "dformat": (2, 2),
    "date": (1, 3),
    "date_part": (2, 2),
    "set_date_part": (3, 3),
    "make_date_time": (8, 8),
    "make_timestamp": (8, 8),
    "zone_date_to_utc": (1, 1),
    "zone_date_to_zone": (2, 2),
    # Hierarchies - objects
    "is_empty": (1, 1),
    "arrays_to_object": (1, VARIADIC),
    "to_object": (2, VARIADIC),
    "str_to_object": (1, 3),
    "contains_key": (1, 1),
    "nullify": (0, 0),
    "get_keys": (1, 1),
    "get_values": (3, 4),
    # Hierarchies - arrays
    "coalesce": (1, VARIADIC),
    "first": (1, VARIADIC),
    "last": (1, VARIADIC),
    "add_to_array": (1, VARIADIC),
    "join_arrays": (1, VARIADIC),
    "to_array": (2, VARIADIC),
    "size_of": (1, 1),
    "upsert_array_append": (1, 1),
    "upsert_array_replace": (1, 2),
    # Logical operators
    "decode": (3, VARIADIC),
    "iif": (3, 3),
    # Aggregation
    "min": (1, VARIADIC),
    "max": (1, VARIADIC),
    # Type conversions
    "to_bigint": (1, 1),
    "to_decimal": (1, 1),
    "to_float": (1, 1),
    "to_integer": (1, 1),
    # JSON functions
    "json_to_object": (1, 1),
    # Special operations
    "uuid": (0, 0),
    "guid": (0, 0),
    "fpid_to_ecid": (1, 1),
    # User agent functions
    "ua_os_name": (1, 1),
    "ua_os_version_major": (1, 1),
    "ua_os_version": (1, 1),
    "ua_os_name_version": (1, 1),
    "ua_agent_version": (1, 1),
    "ua_agent_version_major": (1, 1),
    "ua_agent_name": (1, 1),
    "ua_device_class": (1, 1),
}

#: Methods written after a value: ``"a".equals("b")``, ``str_to_object(...).get("k")``.
METHODS: dict[str, tuple[int, int]] = {"equals": (1, 1), "equalsIgnoreCase": (1, 1), "get": (1, 1)}

WORD_OPERATORS = frozenset({"mod", "div", "eq", "ne", "lt", "gt", "le", "ge", "and", "or", "not"})
LITERAL_WORDS = frozenset({"true", "false", "null"})
RESERVED = frozenset(
    {"new", "break", "var", "for", "while", "continue", "else", "if", "return", "function", "do", "empty"}
    | {"size", "_errors"}
    | WORD_OPERATORS
    | LITERAL_WORDS
)

SYMBOL_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "!", "?", ":")
PUNCTUATION = "(),[]{}."

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[lLfFdD]?")


class ExpressionError(ValueError):
    """The expression is not one Data Prep accepts; the message says why."""


@dataclass
class Token:
    kind: str  # ident | wrapped | string | number | op | punct | end
    text: str
    pos: int


def _read_string(text: str, start: int) -> int:
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    raise ExpressionError(f"unclosed string literal starting at position {start}")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "\"'":
            end = _read_string(text, i)
            tokens.append(Token("string", text[i:end], i))
            i = end
        elif text.startswith("${", i):
            end = text.find("}", i + 2)
            if end < 0:
                raise ExpressionError(f"unclosed '${{' field name at position {i}")
            tokens.append(Token("wrapped", text[i + 2 : end], i))
            i = end + 1
        elif ch.isdigit():
            match = _NUMBER.match(text, i)
            assert match is not None
            tokens.append(Token("number", match.group(), i))
            i = match.end()
        elif _IDENT.match(text, i):
            match = _IDENT.match(text, i)
            assert match is not None
            name = match.group()
            i = match.end()
            # a dot escaped inside a field name (``first\\.name``) belongs to the name
            while text.startswith("\\.", i):
                rest = _IDENT.match(text, i + 2)
                name += "." + (rest.group() if rest else "")
                i = rest.end() if rest else i + 2
            tokens.append(Token("ident", name, match.start()))
        else:
            op = next((o for o in SYMBOL_OPERATORS if text.startswith(o, i)), None)
            if op is not None:
                tokens.append(Token("op", op, i))
                i += len(op)
            elif ch in PUNCTUATION:
                tokens.append(Token("punct", ch, i))
                i += 1
            else:
                raise ExpressionError(f"unexpected character {ch!r} at position {i}")
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.fields: list[str] = []

    # -- token helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def at_word(self, *words: str) -> bool:
        return self.tok.kind == "ident" and self.tok.text in words

    def expect(self, kind: str, text: str) -> None:
        if not self.at(kind, text):
            found = self.tok.text or "the end of the expression"
            raise ExpressionError(f"expected '{text}' at position {self.tok.pos}, found {found!r}")
        self.i += 1

    # -- grammar
    def parse(self) -> list[str]:
        if self.at("end"):
            raise ExpressionError("the expression is empty")
        self.expression()
        if not self.at("end"):
            raise ExpressionError(f"unexpected {self.tok.text!r} at position {self.tok.pos}")
        return self.fields

    def expression(self) -> None:
        self.binary(0)
        if self.at("op", "?"):
            self.i += 1
            self.expression()
            self.expect("op", ":")
            self.expression()

    LEVELS: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
        (frozenset({"||"}), frozenset({"or"})),
        (frozenset({"&&"}), frozenset({"and"})),
        (frozenset({"==", "!="}), frozenset({"eq", "ne"})),
        (frozenset({"<", ">", "<=", ">="}), frozenset({"lt", "gt", "le", "ge"})),
        (frozenset({"+", "-"}), frozenset()),
        (frozenset({"*", "/", "%"}), frozenset({"div", "mod"})),
    )

    def binary(self, level: int) -> None:
        if level == len(self.LEVELS):
            self.unary()
            return
        symbols, words = self.LEVELS[level]
        self.binary(level + 1)
        while (self.tok.kind == "op" and self.tok.text in symbols) or self.at_word(*words):
            self.i += 1
            self.binary(level + 1)

    def unary(self) -> None:
        if self.at("op", "!") or self.at("op", "-") or self.at_word("not"):
            self.i += 1
            self.unary()
            return
        self.primary()
        self.methods()

    def methods(self) -> None:
        while self.at("punct", ".") and self.peek().kind == "ident" and self.peek(2).text == "(":
            name_tok = self.peek()
            if name_tok.text not in METHODS:
                raise ExpressionError(
                    f"unknown method '{name_tok.text}' at position {name_tok.pos} "
                    f"(documented: {', '.join(sorted(METHODS))})"
                )
            self.i += 2
            self.call(name_tok.text, METHODS[name_tok.text], name_tok.pos, "method")

    def call(self, name: str, arity: tuple[int, int], pos: int, what: str) -> None:
        self.expect("punct", "(")
        count = 0
        if not self.at("punct", ")"):
            self.expression()
            count = 1
            while self.at("punct", ","):
                self.i += 1
                self.expression()
                count += 1
        self.expect("punct", ")")
        low, high = arity
        if not low <= count <= high:
            wanted = (
                f"{low}" if low == high else (f"at least {low}" if high == VARIADIC else f"{low} to {high}")
            )
            raise ExpressionError(
                f"{what} '{name}' at position {pos} takes {wanted} argument(s), got {count}"
            )

    def sequence(self, close: str) -> None:
        if not self.at("punct", close):
            self.expression()
            while self.at("punct", ","):
                self.i += 1
                self.expression()
        self.expect("punct", close)

    def primary(self) -> None:
        tok = self.tok
        if tok.kind in ("string", "number"):
            self.i += 1
        elif tok.kind == "punct" and tok.text == "(":
            self.i += 1
            self.expression()
            self.expect("punct", ")")
        elif tok.kind == "punct" and tok.text == "[":
            self.i += 1
            self.sequence("]")
        elif tok.kind == "punct" and tok.text == "{":
            self.i += 1
            self.object_literal()
        elif tok.kind == "wrapped":
            self.i += 1
            self.field_path(tok.text)
        elif tok.kind == "ident" and tok.text in LITERAL_WORDS:
            self.i += 1
        elif tok.kind == "ident" and self.peek().text == "(" and self.peek().kind == "punct":
            if tok.text not in FUNCTIONS:
                raise ExpressionError(f"unknown function '{tok.text}' at position {tok.pos}")
            self.i += 1
            self.call(tok.text, FUNCTIONS[tok.text], tok.pos, "function")
        elif tok.kind == "ident":
            if tok.text in RESERVED:
                raise ExpressionError(
                    f"'{tok.text}' at position {tok.pos} is a reserved keyword; wrap a field of that "
                    f"name as ${{{tok.text}}}"
                )
            self.i += 1
            self.field_path(tok.text)
        else:
            found = tok.text or "the end of the expression"
            raise ExpressionError(f"expected a value at position {tok.pos}, found {found!r}")

    def object_literal(self) -> None:
        if not self.at("punct", "}"):
            while True:
                if self.tok.kind not in ("string", "ident"):
                    raise ExpressionError(f"expected an object key at position {self.tok.pos}")
                self.i += 1
                self.expect("op", ":")
                self.expression()
                if not self.at("punct", ","):
                    break
                self.i += 1
        self.expect("punct", "}")

    def field_path(self, first: str) -> None:
        parts = [first]
        while (
            self.at("punct", ".")
            and self.peek().kind in ("ident", "wrapped")
            and not (self.peek(2).kind == "punct" and self.peek(2).text == "(")
        ):
            parts.append(self.peek().text)
            self.i += 2
        self.fields.append(".".join(p.replace(".", "\\.") for p in parts))


def check_expression(text: str) -> list[str]:
    """The source field paths ``text`` reads (dots inside a name escaped as ``\\.``)."""
    if not isinstance(text, str):
        raise ExpressionError("the expression must be a string")
    return _Parser(text).parse()


def split_path(path: str) -> list[str]:
    """``a.b\\.c.d`` -> ``["a", "b.c", "d"]``."""
    return [part.replace("\0", ".") for part in path.replace("\\.", "\0").split(".")]


def _says_nothing(node: dict[str, object]) -> bool:
    """``{}`` (explore's answer for a null sample value) or an object without properties (an empty
    sample object): the schema does not say what is below, so everything below is accepted."""
    properties = node.get("properties")
    return (not node.get("type") and properties is None) or (node.get("type") == "object" and not properties)


def source_field_exists(schema: dict[str, object], path: str) -> bool:
    """Whether ``path`` names a field of a JSON Schema (``properties``/``items``)."""
    node: object = schema
    for part in split_path(path):
        while isinstance(node, dict) and node.get("type") == "array":
            node = node.get("items") or {}
        if not isinstance(node, dict):
            return False
        if _says_nothing(node):
            return True
        properties = node.get("properties")
        if not isinstance(properties, dict) or part not in properties:
            return False
        node = properties[part]
    return True
