"""How the data's own codes read on a chart in the learner's language.

The tables keep their codes in every edition ("marketing", "paid_search", "first_touch"): learners type them in
code. A chart is only read, so in a translated edition its legend, axis and tooltip show each code's label
instead (:func:`localised`, applied by :func:`smarketing.charts.bundle` to every chart). English charts are left
exactly as they are."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from smarketing.messages import N_, _, language_code

LABELS = {
    # the functions (schema.FUNCTIONS and the shared work between them)
    "marketing": N_("marketing"), "sales": N_("sales"), "operations": N_("operations"), "revops": N_("revops"),
    "shared": N_("shared"),
    # the lead channels (schema.CHANNELS)
    "content": N_("content"), "email": N_("email"), "events": N_("events"), "paid_search": N_("paid_search"),
    "paid_social": N_("paid_social"), "partner": N_("partner"), "referral": N_("referral"),
    "webinar": N_("webinar"),
    # the forecasting methods (forecasting.METHODS) and the attribution models (attribution.MODELS)
    "best case": N_("best case"), "commit": N_("commit"), "run rate": N_("run rate"),
    "weighted pipeline": N_("weighted pipeline"), "first_touch": N_("first_touch"), "last_touch": N_("last_touch"),
    "linear": N_("linear"), "position_based": N_("position_based"), "time_decay": N_("time_decay"),
}


def label(code: str) -> str:
    """``code`` as a chart shows it in the learner's language (itself when it has no label)."""
    return _(LABELS[code]) if code in LABELS else code


def spec_nodes(spec: Any) -> Iterator[dict[str, Any]]:
    """Every object in a Vega-Lite spec, depth first (encodings, layers, tooltips …)."""
    if isinstance(spec, dict):
        yield spec
        for value in spec.values():
            yield from spec_nodes(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from spec_nodes(value)


def localised(spec: dict[str, Any]) -> dict[str, Any]:
    """A Vega-Lite ``spec`` with the codes of its nominal and ordinal fields shown by their labels: in its
    datasets and in the sort orders and colour domains that list them. The spec itself is not changed."""
    if language_code() == "en":
        return spec
    fields = {node["field"] for node in spec_nodes(spec)
              if isinstance(node.get("field"), str) and node.get("type") in ("nominal", "ordinal")}
    if not fields:
        return spec
    spec = copy.deepcopy(spec)
    for rows in spec.get("datasets", {}).values():
        for row in rows:
            for field in fields & row.keys():
                if isinstance(row[field], str):
                    row[field] = label(row[field])

    def relabel(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("sort", "domain") and isinstance(value, list):
                    node[key] = [label(v) if isinstance(v, str) else v for v in value]
                else:
                    relabel(value)
        elif isinstance(node, list):
            for value in node:
                relabel(value)

    relabel(spec)
    return spec
