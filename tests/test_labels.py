"""A chart in a translated edition shows the data's codes by their labels; an English chart is untouched."""

from __future__ import annotations

import pandas as pd

from smarketing import charts
from smarketing.labels import LABELS, label, localised


def test_english_charts_are_left_as_they_are(monkeypatch):
    monkeypatch.delenv("SMARKETING_LANG", raising=False)
    spec = {"datasets": {"d": [{"function": "marketing"}]}, "encoding": {"color": {"field": "function",
                                                                                   "type": "nominal"}}}
    assert localised(spec) is spec and label("marketing") == "marketing"


def test_chinese_charts_show_labels_in_data_sorts_and_domains(monkeypatch):
    monkeypatch.setenv("SMARKETING_LANG", "zh_CN")
    spec = {"datasets": {"d": [{"function": "marketing", "channel": "paid_search", "value": 3, "note": "sales"}]},
            "encoding": {"color": {"field": "function", "type": "nominal",
                                   "scale": {"domain": ["marketing", "sales"], "range": ["#000", "#111"]}},
                         "y": {"field": "channel", "type": "nominal", "sort": ["paid_search", "email"]},
                         "x": {"field": "value", "type": "quantitative"}}}
    shown = localised(spec)
    row = shown["datasets"]["d"][0]
    assert row == {"function": "营销", "channel": "付费搜索", "value": 3, "note": "sales"}  # only encoded fields
    assert shown["encoding"]["color"]["scale"]["domain"] == ["营销", "销售"]
    assert shown["encoding"]["y"]["sort"] == ["付费搜索", "电子邮件"]
    assert spec["datasets"]["d"][0]["function"] == "marketing"  # the caller's spec is not changed
    assert all(label(code) != code or code.isupper() for code in LABELS)  # every label is translated


def test_a_funnel_chart_speaks_chinese(monkeypatch):
    monkeypatch.setenv("SMARKETING_LANG", "zh_CN")
    counts = pd.DataFrame({"stage": ["lead", "mql", "opportunity"], "count": [100, 40, 5]})
    bundle = charts.bundle(charts.funnel_chart(counts).to_dict(validate=False), static=True)
    spec = bundle[charts.VEGALITE_MIME]
    values = {row["stage_label"] for rows in spec["datasets"].values() for row in rows}
    assert values == {"线索", "MQL", "商机"} and spec["config"]["font"] == charts.CJK_FONT
    assert "商机" in bundle["image/svg+xml"] and spec["title"] == "需求瀑布图"
