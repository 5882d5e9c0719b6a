"""The one JSON parser for request bodies and page tokens: bounded, so no input reaches a
500 (Python's json recurses per nesting level, accepts NaN and Infinity, and turns a
5,000-digit integer into a ValueError of its own).

Limits: 32 levels of nesting (DynamoDB's own limit for documents), integers of at most 15
digits and finite numbers below 10^15 in magnitude (no count, score or size of this
service comes near; every figure stays exact as a double). Pure: no AWS.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32
MAX_INT_DIGITS = 15
MAX_MAGNITUDE = 1e15


class JsonInputError(ValueError):
    """Why a body is not acceptable JSON (the message is for the client)."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonInputError(f"a number has {len(text.lstrip('-'))} digits; at most 15 are taken")
    return int(text)


def _float(text: str) -> float | int:
    value = float(text)
    if not math.isfinite(value) or abs(value) >= MAX_MAGNITUDE:
        raise JsonInputError(f"the number {text[:40]} is out of range (|n| < 10^15)")
    # JSON has one kind of number: 44.0 and 4.4e1 are the integer 44 (as JSON Schema's
    # "integer" says), exact below 10^15.
    return int(value) if value.is_integer() else value


def _constant(text: str) -> Any:
    raise JsonInputError(f"{text} is not a JSON value")


def loads(data: bytes | str) -> Any:
    """The parsed value; JsonInputError says what is wrong."""
    try:
        value = json.loads(data, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except JsonInputError:
        raise
    except RecursionError:
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JsonInputError(f"not valid JSON: {exc}") from None
    except ValueError as exc:  # e.g. the interpreter's own integer-length limit
        raise JsonInputError(f"not valid JSON: {exc}") from None
    if depth(value) > MAX_DEPTH:
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels")
    return value


def depth(value: Any) -> int:
    """Levels of nesting (a scalar is 0, [] and {} are 1); iterative, so any depth is safe."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in children)
    return deepest
