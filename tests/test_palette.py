"""Colour is never the only key, and where it is a key it survives colour blindness: every pair of categorical
colours within one chart stays at least 10 ΔE2000 apart for normal vision and under simulated protanopia,
deuteranopia and tritanopia (Machado, Oliveira and Fernandes, "A physiologically-based model for simulation of
color vision deficiency", IEEE TVCG 15(6), 2009, doi:10.1109/TVCG.2009.113, at full severity; colour-science
computes both). Text on a coloured cell reads at 4.5:1 or more (WCAG 2.1, 1.4.3)."""

from __future__ import annotations

import itertools
import warnings

import nbformat
import numpy as np
import pytest

from smarketing import charts
from smarketing.labels import spec_nodes
from tests.conftest import ROOT
from tests.course.test_stored import DESCRIBED, _stored_charts

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # colour-science says it runs without SciPy and Matplotlib: it needs neither
    import colour

VISIONS = (None, "Protanomaly", "Deuteranomaly", "Tritanomaly")
MINIMUM = 10.0


def _lab(hexes: list[str], vision: str | None) -> np.ndarray:
    rgb = np.array([[int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)] for h in hexes])
    linear = colour.models.eotf_sRGB(rgb)
    if vision:
        with warnings.catch_warnings():
            # colour-science notes that Machado's tritanomaly is an approximation (a shift of the S cone): the one
            # model of tritanopia there is at full severity.
            warnings.simplefilter("ignore")
            matrix = colour.blindness.matrix_cvd_Machado2009(vision, 1.0)
        linear = np.clip(linear @ matrix.T, 0, 1)
    xyz = colour.RGB_to_XYZ(linear, colour.models.RGB_COLOURSPACE_sRGB, apply_cctf_decoding=False)
    return colour.XYZ_to_Lab(xyz)


def too_close(hexes: list[str]) -> list[str]:
    """The pairs of ``hexes`` closer than :data:`MINIMUM` ΔE2000 under any vision, named with it."""
    found = []
    for vision in VISIONS:
        lab = _lab(hexes, vision)
        for i, j in itertools.combinations(range(len(hexes)), 2):
            distance = float(colour.delta_E(lab[i], lab[j], method="CIE 2000"))
            if distance < MINIMUM:
                found.append(f"{hexes[i]}/{hexes[j]}: {distance:.1f} ({vision or 'normal vision'})")
    return found


def test_the_palette_survives_every_kind_of_colour_blindness():
    assert not too_close(list(charts.PALETTE))
    assert set(charts.FUNCTION_COLORS.values()) <= set(charts.PALETTE)


def test_the_check_catches_the_colours_the_course_used_to_have():
    """Vega's default green and red (on time against late) are 1.2 apart under deuteranopia."""
    assert any("Deuteranomaly" in pair for pair in too_close(["#54a24b", "#e45756"]))


def _colour_sets(spec: dict) -> list[list[str]]:
    """The categorical colours each colour encoding of a chart draws: its explicit range, or as many colours of
    the category range as its field has values."""
    rows = [row for data in spec.get("datasets", {}).values() for row in data]
    category = spec.get("config", {}).get("range", {}).get("category")
    sets = []
    for node in spec_nodes(spec):
        colour_encoding = node.get("color") if isinstance(node.get("color"), dict) else None
        if not colour_encoding or colour_encoding.get("type") != "nominal" or colour_encoding.get("scale", {}) is None:
            continue
        values = list(dict.fromkeys(row[colour_encoding["field"]] for row in rows if colour_encoding["field"] in row))
        scale = colour_encoding.get("scale") or {}
        palette = scale.get("range") or category
        assert palette, "a categorical colour with no range: set config.range.category (charts.bundle does)"
        assert len(values) <= len(palette), f"{len(values)} categories, {len(palette)} colours"
        sets.append(list(palette[:len(values)]))
    return sets


@pytest.mark.parametrize("path", DESCRIBED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_pair_of_colours_within_a_stored_chart_stays_apart(path):
    for data in _stored_charts(nbformat.read(path, as_version=4)):
        spec = data[charts.VEGALITE_MIME]
        assert spec["config"]["range"]["category"] == list(charts.PALETTE)
        for colours in _colour_sets(spec):
            assert not too_close(colours), f"{charts._title(spec)!r}: {too_close(colours)}"


def test_labels_on_the_heatmap_read_at_4_5_to_1(companies):
    from smarketing import careers

    matrix = careers.transition_matrix(companies["lumen"].career_moves)
    spec = charts.transition_heatmap(matrix).to_dict(validate=False)
    rows = max(spec["datasets"].values(), key=len)
    assert rows
    worst = min(charts.contrast(charts.heat_colour(row["share"]), (0.0,) * 3 if row["ink"] == "black" else (1.0,) * 3)
                for row in rows)
    assert worst >= 4.5
    cells = next(n for n in spec_nodes(spec) if n.get("mark", {}) == "rect" or n.get("mark") == {"type": "rect"})
    assert cells["encoding"]["color"]["scale"]["interpolate"] == "rgb"  # what heat_colour assumes


def _field(channel) -> str | None:
    return channel.get("field") if isinstance(channel, dict) else (channel.split(":")[0] if isinstance(channel, str)
                                                                     else None)


def colour_only_keys(spec: dict) -> list[str]:
    """The fields that a chart tells apart by colour alone: coloured by the field, with more than one of its values
    drawn, and the field in no other channel of the chart (an axis, a facet's header, a point shape, a dash, or a
    text label such as a line's name at its end or a bar's name on the bar)."""
    rows = [row for data in spec.get("datasets", {}).values() for row in data]
    coloured, elsewhere = set(), set()
    for node in spec_nodes(spec):
        for channel, value in node.items():
            if channel in ("encoding", "facet") and isinstance(value, dict):
                for inner, encoded in value.items():
                    if inner in ("color", "fill") and isinstance(encoded, dict) and "scale" in encoded \
                            and encoded["scale"] is None:
                        continue  # the field holds the colour itself (a label's ink): it keys nothing
                    (coloured if inner in ("color", "fill") else elsewhere).add(_field(encoded))
            elif channel in ("row", "column") and isinstance(value, dict):
                elsewhere.add(_field(value))
    keys = [f for f in coloured - {None} if len({row.get(f) for row in rows if f in row}) > 1]
    # x, y, shape, strokeDash, text, row and column each name the value where a reader looks; xOffset and yOffset
    # only place it, and tooltip needs a mouse.
    named = {f for node in spec_nodes(spec) if isinstance(node.get("encoding"), dict)
             for channel, encoded in node["encoding"].items()
             if channel in ("x", "y", "shape", "strokeDash", "text", "row", "column", "facet")
             for f in [_field(encoded)]}
    named |= {_field(node.get("facet", {}).get(c)) for node in spec_nodes(spec) for c in ("row", "column")
              if isinstance(node.get("facet"), dict)}
    return sorted(f for f in keys if f not in named)


def test_the_check_finds_a_legend_as_the_only_key():
    """Grouped bars told apart by a legend, as the delivery chart had them, are caught; named on the bar, not."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame({"measure": ["sent back", "sent back"], "delivery": ["on time", "late"], "share": [.07, .15]})
    bars = alt.Chart(data).encode(x="measure:N", xOffset="delivery:N", y="share:Q", color="delivery:N")
    assert colour_only_keys(charts.bundle(bars.mark_bar().to_dict(), static=False)[charts.VEGALITE_MIME]) == \
        ["delivery"]
    named = bars.mark_bar() + charts._bar_names(bars, "delivery", horizontal=False)
    assert colour_only_keys(charts.bundle(named.to_dict(), static=False)[charts.VEGALITE_MIME]) == []


@pytest.mark.parametrize("path", DESCRIBED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_colour_is_never_the_only_key_of_a_stored_chart(path):
    for data in _stored_charts(nbformat.read(path, as_version=4)):
        spec = data[charts.VEGALITE_MIME]
        assert not colour_only_keys(spec), f"{charts._title(spec)!r} tells {colour_only_keys(spec)} by colour alone"
