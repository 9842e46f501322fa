"""The course's controls (smarketing.controls): the value a learner sees is the value the app computes with, and the
text a screen reader announces. The browser side is walked with the keyboard in tests/course/test_browser.py."""

from __future__ import annotations

import pytest
import traitlets

from smarketing import controls, widgets


def test_a_share_slider_shows_and_keeps_the_value_on_its_step():
    slider = controls.Slider("Lead → MQL", 0.35000000000000003, 0.0, 1.0, 0.01, percent=True)
    assert slider.value == 0.35 and slider.value_text == "35%"
    slider.value = 0.504
    assert slider.value == 0.5 and slider.value_text == "50%"
    slider.value = 7  # beyond the range: kept at its end, as the browser's range input keeps it
    assert slider.value == 1.0 and slider.value_text == "100%"


def test_an_integer_slider_gives_integers_with_thousands_separators():
    slider = controls.Slider("average deal", 87_500, 0, 350_000, 100)
    assert slider.value == 87_500 and isinstance(slider.value, int)
    assert slider.value_text == "87,500"
    slider.value = 1234.9
    assert slider.value == 1200 and slider.value_text == "1,200"
    coarse = controls.Slider("share of quota reps reach", 0.8, 0.3, 1.5, 0.05, percent=True)
    coarse.value = 0.83
    assert coarse.value == 0.85 and coarse.value_text == "85%"


def test_a_slider_never_starts_off_its_steps():
    """A start between two steps would be shown as the nearest step while the app computed with the other."""
    with pytest.raises(ValueError, match="starts at 420, which is not on its steps of 50"):
        controls.Slider("leads a month", 420, 0, 5000, 50)


def test_a_slider_refuses_what_is_not_a_number():
    slider = controls.Slider("leads a month", 400, 0, 5000, 50)
    with pytest.raises(traitlets.TraitError, match="leads a month"):
        slider.value = float("nan")
    assert slider.value == 400


def test_a_selection_slider_announces_the_label_not_the_position():
    slider = controls.SelectionSlider("first response", [("5 min", 5), ("15 min", 15), ("2 h", 120)], 15)
    assert (slider.index, slider.value, slider.value_text) == (1, 15, "15 min")
    slider.index = 2  # what the browser sends when the learner presses →
    assert (slider.value, slider.value_text) == (120, "2 h")
    with pytest.raises(traitlets.TraitError, match="not one of the options"):
        slider.value = 60


def test_a_choice_keeps_its_value_when_its_options_change():
    choice = controls.Choice("function", ["marketing", "sales", "operations"])
    assert (choice.value, choice.index, choice.labels) == ("marketing", 0, ["marketing", "sales", "operations"])
    seen = []
    choice.observe(lambda change: seen.append(change["new"]), names="value")
    choice.index = 1
    assert choice.value == "sales" and choice.value_text == "sales" and seen == ["sales"]
    choice.options = [("Sales", "sales"), ("Shared", "shared")]
    assert choice.value == "shared" and choice.value_text == "Shared"  # index 1 of the new options


def test_every_app_control_has_a_name_and_shows_its_value():
    """Every slider and choice of every app has a visible name, and the text it announces is the text its
    readout shows: for the facilitator's app, as for the course's apps."""
    apps = [widgets.FunnelSimulator({"mql": 0.5, "sal": 0.6, "sql": 0.3, "opportunity": 0.5, "won": 0.25}, 20_000),
            widgets.SLAPlanner({"mql": 0.5, "sal": 0.6, "sql": 0.3, "opportunity": 0.5, "won": 0.25}, 20_000),
            widgets.SkillsAssessment()]
    found = [c for app in apps for c in app.controls if isinstance(c, controls._Control)]
    assert len(found) == 8 + 9 + len(widgets.careers.SKILLS)
    for control in found:
        assert control.description.strip()
        assert control.value_text == (control.text(control.value) if isinstance(control, controls.Slider)
                                      else control.labels[control.index])


def test_an_sla_planner_on_tiny_deals_starts_at_its_lowest_deal():
    """A deal that rounds to 0 starts the planner at 100, its slider's lowest value, as ipywidgets clamped it:
    never an error for a workshop's own data."""
    planner = widgets.SLAPlanner({"mql": 0.5, "sal": 0.6, "sql": 0.3, "opportunity": 0.5, "won": 0.25}, 30)
    assert planner.average_deal.value == 100 and planner.average_deal.value_text == "100"
