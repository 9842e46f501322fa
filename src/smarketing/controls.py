"""The course's controls: sliders and choices that a screen reader and a keyboard can use.

ipywidgets 8's sliders draw their handle with noUiSlider: the handle has no accessible name (the visible label
is not tied to it) and announces the stored number ("0.35000000000000003" for a slider shown as 35%, "1" for one
shown as "15 min"); its readout is a field whose typed text is read in another unit ("50%" sets 100%) or kept
while ignored. Its toggle buttons do not say which one is selected. These are the app layer's replacements,
built with anywidget from native HTML controls (``controls.js``):

- :class:`Slider` is an ``<input type="range">`` named by its visible ``<label>``, announcing its value as the
  readout shows it (``aria-valuetext``: "52%", "87,500", "2 h"); arrow keys, Page Up/Down, Home and End move it.
  Its readout is text: there is nothing to type, so nothing can be typed in another unit.
- :class:`Choice` is a group of radio buttons in a ``<fieldset>`` named by its ``<legend>``: the selected option
  is checked, and arrow keys move the selection.

Both keep ipywidgets' Python interface where the apps use it (``description``, ``value``, ``options``,
``observe(..., names="value")``), and :attr:`value_text` is the text a learner sees, stored with the widget's
state so that a static page (the site) can show a control as it was set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

_HERE = Path(__file__).parent


def _decimals(step: float) -> int:
    text = repr(float(step)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


class _Control(anywidget.AnyWidget):
    _esm = _HERE / "controls.js"
    _css = _HERE / "controls.css"
    kind = traitlets.Unicode("slider").tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    value_text = traitlets.Unicode("").tag(sync=True)


class Slider(_Control):
    """A number on a range: ``Slider("leads a month", 400, 0, 5000, 50)``; ``percent=True`` shows a share
    (0.52) as "52%". Integer bounds and step give integer values."""

    value = traitlets.Any(0).tag(sync=True)
    min = traitlets.Float(0.0).tag(sync=True)
    max = traitlets.Float(100.0).tag(sync=True)
    step = traitlets.Float(1.0).tag(sync=True)
    percent = traitlets.Bool(False).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode(), []).tag(sync=True)  # none: the readout is the number

    def __init__(self, description: str, value: float, min: float, max: float, step: float = 1,  # noqa: A002
                 percent: bool = False, **kwargs: Any):
        self._integer = all(isinstance(n, int) for n in (min, max, step))
        super().__init__(description=description, min=min, max=max, step=step, percent=percent, **kwargs)
        self.value = value
        if not math.isclose(self.value, value, rel_tol=1e-9, abs_tol=1e-9):
            # The browser's range input would show the snapped value while the app computed with the other, or the
            # app would start from a figure the notebook's text does not quote: neither may happen silently.
            raise ValueError(f"the slider {description!r} starts at {value}, which is not on its steps of {step} "
                             f"from {min} to {max} (it would show {self.value}): give it a step that {value} is on")
        self.value_text = self.text(self.value)

    @traitlets.validate("value")
    def _snap(self, proposal: dict[str, Any]) -> float | int:
        """Within the range and on a step, as the browser's range input keeps it: 0.35, never
        0.35000000000000003."""
        value = float(proposal["value"])
        if math.isnan(value):
            raise traitlets.TraitError(f"{self.description}: a slider's value must be a number, not NaN")
        value = min(max(value, self.min), self.max)
        value = round(self.min + round((value - self.min) / self.step) * self.step, _decimals(self.step))
        return int(value) if self._integer else value

    @traitlets.observe("value")
    def _show(self, change: dict[str, Any]) -> None:
        self.value_text = self.text(change["new"])

    def text(self, value: float) -> str:
        """The value as the readout shows it (``controls.js`` writes the same)."""
        digits = _decimals(self.step)
        if self.percent:
            return f"{value * 100:.{max(digits - 2, 0)}f}%"
        return f"{value:,.{digits}f}"


class _Options(_Control):
    """Options shown as labels, each standing for a value: the browser keeps the index, Python the value."""

    index = traitlets.Int(0).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode(), []).tag(sync=True)
    value = traitlets.Any(None)

    def __init__(self, description: str, options: Sequence[Any], value: Any = None, **kwargs: Any):
        self._values: list[Any] = []
        super().__init__(description=description, **kwargs)
        self.options = options
        if value is not None:
            self.value = value

    @property
    def options(self) -> list[tuple[str, Any]]:
        return list(zip(self.labels, self._values, strict=True))

    @options.setter
    def options(self, options: Sequence[Any]) -> None:
        pairs = [o if isinstance(o, tuple) else (str(o), o) for o in options]
        if not pairs:
            raise ValueError(f"{self.description}: a control needs at least one option")
        self._values = [v for _label, v in pairs]
        with self.hold_trait_notifications():
            self.labels = [str(label) for label, _v in pairs]
            self.index = min(self.index, len(pairs) - 1)
        self.value = self._values[self.index]
        self.value_text = self.labels[self.index]

    @traitlets.validate("value")
    def _known(self, proposal: dict[str, Any]) -> Any:
        if proposal["value"] not in self._values:
            raise traitlets.TraitError(f"{self.description}: {proposal['value']!r} is not one of the options "
                                       f"{self._values}")
        return proposal["value"]

    @traitlets.observe("value")
    def _to_index(self, change: dict[str, Any]) -> None:
        self.index = self._values.index(change["new"])
        self.value_text = self.labels[self.index]

    @traitlets.observe("index")
    def _from_index(self, change: dict[str, Any]) -> None:
        if 0 <= change["new"] < len(self._values):
            self.value = self._values[change["new"]]


class SelectionSlider(_Options):
    """A slider over labelled steps: ``SelectionSlider("first response", [("5 min", 5), ("15 min", 15)])``
    announces "15 min", never the step's number."""

    kind = traitlets.Unicode("slider").tag(sync=True)


class Choice(_Options):
    """One of a few options, as radio buttons: ``Choice("function", ["marketing", "sales"])``."""

    kind = traitlets.Unicode("choice").tag(sync=True)
