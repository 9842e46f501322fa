"""Answers as data: what a kernel can hand the judge comes back equal, and anything else is refused or stands
in under its type's name, never run."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from smarketing.grading import codec


@pytest.mark.parametrize("value", [
    None, True, 3, 2**70, -0.25, "lumen", [1, "a", None], (1, 2.5), {"lead": "A", "mql": 0.3}, {1, 2},
    np.int64(7), np.float64(0.1), np.array([[1.0, 2.0], [3.0, 4.0]]),
])
def test_plain_values_cross_unchanged(value):
    back = codec.loads(codec.dumps(value))
    if isinstance(value, np.ndarray):
        assert np.array_equal(back, value) and back.shape == value.shape
    else:
        assert back == value and type(back) is type(value.item() if isinstance(value, np.generic) else value)


def test_nan_and_infinities_cross():
    back = codec.loads(codec.dumps([math.nan, math.inf, -math.inf]))
    assert math.isnan(back[0]) and back[1:] == [math.inf, -math.inf]


def test_tables_cross_with_index_dtypes_and_name():
    frame = pd.DataFrame({"channel": pd.Categorical(["email", "events"]), "rate": [0.3, math.nan],
                          "at": pd.to_datetime(["2025-01-01", None])}, index=pd.Index(["a", "b"], name="key"))
    back = codec.loads(codec.dumps(frame))
    pd.testing.assert_frame_equal(back, frame)
    series = pd.Series([1.5, 2.5], index=["x", "y"], name="credit")
    pd.testing.assert_series_equal(codec.loads(codec.dumps(series)), series)


def test_a_function_crosses_as_a_stand_in_and_other_objects_keep_their_type_name():
    called = codec.loads(codec.dumps([len]), function=lambda name: f"remote {name}")
    assert called == ["remote len"]

    class Widget:
        pass

    opaque = codec.loads(codec.dumps(Widget()))
    assert isinstance(opaque, codec.Opaque) and type(opaque).__name__ == "Widget"


@pytest.mark.parametrize("text", [
    json.dumps({"eval": "__import__('os').system('true')"}),
    json.dumps({"int": "1e9"}),
    json.dumps({"frame": "not base64 !"}),
    json.dumps({"array": codec.encode(np.array([1.0]))["array"], "shape": [3]}),
    json.dumps({"dict": [[{"json": "a"}]]}),
    json.dumps({"opaque": "x", "a": 1, "b": 2, "c": 3}),
])
def test_anything_malformed_is_refused(text):
    with pytest.raises((ValueError, TypeError)):
        codec.loads(text)


def test_a_stand_in_type_name_is_never_code():
    stand_in = codec.loads(json.dumps({"opaque": "x; import os"}))
    assert type(stand_in).__name__ == "object"


def test_the_kernel_side_exports_names_and_calls_functions():
    namespace = {"rate": 0.25, "table": pd.DataFrame({"a": [1]}), "double": lambda values: [2 * v for v in values]}
    exported = json.loads(codec.export_names(["rate", "table", "double", "absent"], namespace))
    assert exported["absent"] == {"missing": True} and exported["double"]["function"] == "double"
    assert codec.decode(exported["rate"]) == 0.25
    reply = json.loads(codec.call("double", codec.dumps(([1, 2],)), namespace))
    assert codec.decode(reply["result"]) == [2, 4]
    raised = json.loads(codec.call("double", codec.dumps((None,)), namespace))
    assert raised["raised"][0] == "TypeError"
    error = codec.remote_error(*raised["raised"])
    assert type(error).__name__ == "TypeError" and isinstance(error, codec.RemoteError)
