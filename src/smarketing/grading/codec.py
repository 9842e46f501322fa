"""Answers as data: how a learner's kernel hands its answers to the judge, and how the judge sends a learner's
function its inputs.

Only data crosses: JSON for numbers, text, booleans and containers of them, Arrow IPC for tables (a
DataFrame, a Series, an array). A function crosses as its name, and the judge calls it through the kernel
(:class:`smarketing.grading.judge.RemoteFunction`). Decoding never runs code and never unpickles: a kernel
can hand over any data it likes, and that data is all it can hand over. What cannot cross (a generator, a
custom object) arrives as an :class:`Opaque` stand-in that keeps the type's name, so that a check says
"your answer is a Widget" as it would in the kernel.

The kernel side (:func:`export_names`, :func:`call`) runs inside the learner's kernel, where the learner may
have patched anything: what it returns is treated as the learner's answer, never as a verdict.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

MAX_BYTES = 64 * 1024 * 1024  # one answer or result; a larger one is refused, not read
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,80}")


class Opaque:
    """A stand-in for a value that cannot cross as data. Its class is named after the original type."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def _opaque(type_name: str) -> Opaque:
    name = type_name if _NAME.fullmatch(type_name or "") else "object"
    return type(name, (Opaque,), {})()


class RemoteError(Exception):
    """An exception raised by a learner's function in its kernel; subclasses carry the original name."""


def remote_error(name: str, message: str) -> RemoteError:
    """An exception whose class has the learner's exception's name (so a check can say "your function raised
    KeyError"), built from text only."""
    safe = name if _NAME.fullmatch(name or "") else "Exception"
    return type(safe, (RemoteError,), {})(str(message)[:500])


# ---- encoding (both sides) ---------------------------------------------------------------------------

def _table(frame: pd.DataFrame) -> str:
    sink = io.BytesIO()
    table = pa.Table.from_pandas(frame, preserve_index=True)
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return base64.b64encode(sink.getvalue()).decode("ascii")


def encode(value: Any, depth: int = 0) -> dict:
    """``value`` as a JSON-ready tagged tree. Functions become their name; anything else that is not data
    becomes its type's name."""
    if depth > 20:
        return {"opaque": "nested too deeply"}
    if value is None or isinstance(value, bool | str):
        return {"json": value}
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return {"int": str(int(value))}  # as text: JSON numbers lose digits beyond 2**53
    if isinstance(value, np.bool_):
        return {"json": bool(value)}
    if isinstance(value, float | np.floating):
        number = float(value)
        return {"float": number if math.isfinite(number) else repr(number)}
    if isinstance(value, pd.DataFrame):
        return {"frame": _table(value)}
    if isinstance(value, pd.Series):
        return {"series": _table(value.to_frame(name="__values__")), "name": encode(value.name, depth + 1)}
    if isinstance(value, np.ndarray):
        return {"array": _table(pd.DataFrame({"__values__": value.ravel()})), "shape": list(value.shape)}
    if isinstance(value, list | tuple):
        return {"list" if isinstance(value, list) else "tuple": [encode(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, set | frozenset):
        return {"set": [encode(v, depth + 1) for v in value]}
    if callable(value):
        return {"function": getattr(value, "__name__", "function")}
    return {"opaque": type(value).__name__}


def dumps(value: Any) -> str:
    return json.dumps(encode(value))


# ---- decoding (the judge's side: data only) ----------------------------------------------------------

def _read_table(text: str) -> pd.DataFrame:
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    with pa.ipc.open_stream(raw) as reader:
        return reader.read_all().to_pandas()


def decode(tree: Any, function: Any = None, depth: int = 0) -> Any:
    """The value of an :func:`encode` tree. ``function(name)`` gives the judge's stand-in for a learner's
    function (default: an :class:`Opaque` named "function"). Raises ValueError on anything malformed."""
    if depth > 21 or not isinstance(tree, dict) or not 1 <= len(tree) <= 3:
        raise ValueError("malformed answer")
    kind, payload = next(iter(tree.items()))
    if kind == "json" and (payload is None or isinstance(payload, bool | str)):
        return payload
    if kind == "int" and isinstance(payload, str) and re.fullmatch(r"-?\d{1,400}", payload):
        return int(payload)
    if kind == "float" and isinstance(payload, float | int) and not isinstance(payload, bool):
        return float(payload)
    if kind == "float" and payload in ("nan", "inf", "-inf"):
        return float(payload)
    if kind == "frame" and isinstance(payload, str):
        return _read_table(payload)
    if kind == "series" and isinstance(payload, str):
        series = _read_table(payload)["__values__"]
        return series.rename(decode(tree.get("name", {"json": None}), function, depth + 1))
    if kind == "array" and isinstance(payload, str):
        shape = tree.get("shape")
        values = _read_table(payload)["__values__"].to_numpy()
        if isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape) and \
                math.prod(shape) == len(values):
            return values.reshape(shape)
        raise ValueError("malformed array")
    if kind in ("list", "tuple", "set") and isinstance(payload, list):
        items = [decode(v, function, depth + 1) for v in payload]
        return items if kind == "list" else tuple(items) if kind == "tuple" else set(items)
    if kind == "dict" and isinstance(payload, list) and all(isinstance(p, list) and len(p) == 2 for p in payload):
        return {decode(k, function, depth + 1): decode(v, function, depth + 1) for k, v in payload}
    if kind == "function" and isinstance(payload, str):
        return function(payload) if function else _opaque("function")
    if kind == "opaque" and isinstance(payload, str):
        return _opaque(payload)
    raise ValueError("malformed answer")


def loads(text: str, function: Any = None) -> Any:
    if len(text) > MAX_BYTES:
        raise ValueError("answer too large")
    return decode(json.loads(text), function)


# ---- the kernel's side -------------------------------------------------------------------------------

def export_names(names: list[str], namespace: dict) -> str:
    """In the learner's kernel: each name's value as data ({"missing": true} when it is not defined).
    A function is exported by its name in the namespace, so that the judge calls that very name."""
    out = {}
    for name in names:
        if name not in namespace:
            out[name] = {"missing": True}
            continue
        value = namespace[name]
        try:
            if callable(value) and not isinstance(value, type | pd.DataFrame | pd.Series):
                tree = {"function": name, "module": getattr(value, "__module__", None),
                        "qualname": getattr(value, "__qualname__", None)}
            else:
                tree = encode(value)
        except Exception as error:  # noqa: BLE001 - a learner's object may break in any way
            tree = {"opaque": type(value).__name__, "error": str(error)[:200]}
        out[name] = tree
    text = json.dumps(out)
    return text if len(text) <= MAX_BYTES else json.dumps({n: {"opaque": "too large"} for n in names})


def call(name: str, arguments: str, namespace: dict) -> str:
    """In the learner's kernel: call the function ``name`` on decoded ``arguments`` (a tuple) and return its
    result as data, or the exception it raised, by name and message."""
    try:
        args = decode(json.loads(arguments))
        result = namespace[name](*args)
        text = json.dumps({"result": encode(result)})
    except Exception as error:  # noqa: BLE001 - the learner's function may fail in any way
        text = json.dumps({"raised": [type(error).__name__, str(error)[:500]]})
    return text if len(text) <= MAX_BYTES else json.dumps({"raised": ["MemoryError", "result too large"]})
