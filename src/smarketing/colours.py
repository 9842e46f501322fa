"""The course's colours: one palette that colour-blind readers can tell apart, the functions' colours from it, and
text that reads on a coloured cell (WCAG 2.1's contrast ratio). Every chart of :mod:`smarketing.charts` takes its
colours from here."""

from __future__ import annotations

# The course's one categorical palette: Okabe & Ito's, made to be told apart with any colour vision (Okabe, M. and
# Ito, K., "Color Universal Design (CUD): how to make figures and presentations that are friendly to colorblind
# people", J*FLY, 2002/2008, https://jfly.uni-koeln.de/color/). In this order every pair of the first seven stays
# at least 10 ΔE2000 apart under simulated protanopia, deuteranopia and tritanopia (tests/test_palette.py). Every
# chart's categories take their colours from it (bundle sets it as Vega-Lite's category range).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
# One colour per function, from the palette, wherever a chart shows functions; "shared" work is the sky blue.
FUNCTION_COLORS = {"marketing": PALETTE[0], "sales": PALETTE[1], "operations": PALETTE[2], "revops": PALETTE[3],
                   "shared": PALETTE[4]}
GREY = "#767676"  # the whole of a decomposition, rules and notes: 4.5:1 on white


# A heatmap's cells run from the palette's lightest to its darkest blue, mixed in RGB, so that the label colour
# can be chosen here for each cell (label_ink): any colour has at least 4.58:1 against black or white.
HEAT = ("#F2F7FB", "#0072B2")


def heat_colour(share: float) -> tuple[float, float, float]:
    """The fill (sRGB, 0–1) of a heatmap cell at ``share`` (0–1), as Vega draws it from :data:`HEAT`."""
    low, high = ([int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)] for c in HEAT)
    return tuple(a + (b - a) * min(max(share, 0.0), 1.0) for a, b in zip(low, high, strict=True))


def contrast(one: tuple[float, float, float], other: tuple[float, float, float]) -> float:
    """WCAG 2.1's contrast ratio of two sRGB colours (0–1 each)."""
    def luminance(rgb: tuple[float, float, float]) -> float:
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def label_ink(fill: tuple[float, float, float]) -> str:
    """Black or white text, whichever contrasts more with ``fill``."""
    return "black" if contrast(fill, (0.0, 0.0, 0.0)) >= contrast(fill, (1.0, 1.0, 1.0)) else "white"


__all__ = ["FUNCTION_COLORS", "GREY", "HEAT", "PALETTE", "contrast", "heat_colour", "label_ink"]
