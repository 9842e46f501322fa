"""What data a company has: a course company has everything; a company imported from a partial export (contacts
without deals) lacks tables and has stand-ins for some columns, and a notebook cell says so in one line instead of
failing or showing a stand-in as a figure."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from tests.datasets.crm.exports import partial_imports
from smarketing import load_company
from smarketing.datasets import availability


@pytest.fixture(scope="module")
def acme(tmp_path_factory, companies):
    """A company imported from a contacts export alone: leads, but no deals, spend, touchpoints or churn."""
    return load_company(partial_imports(companies["lumen"], tmp_path_factory.mktemp("partial"))["contacts_only"])


def test_has_tables_and_columns(acme, companies):
    assert availability.has(acme, "leads") and availability.has(acme, "leads.mql_at")
    for need in ("opportunities", "touchpoints", "campaigns.spend", "accounts.churned_at", "leads.disqualification_reason"):
        assert not availability.has(acme, need), need
    lumen = companies["lumen"]
    assert all(availability.has(lumen, n) for n in ("touchpoints", "campaigns.spend", "accounts.nps"))
    assert not availability.has(lumen, "orders")  # a course company without an online shop
    assert not availability.has(lumen, "leads.no_such_column")


def test_lacks_names_only_what_is_missing(acme):
    note = availability.lacks(acme, "leads", "campaigns.spend", "opportunities").data
    assert note == (f"> {acme.name} has no campaign spend and deals in its data, so this step is skipped. Run it on "
                    "a course company to see it.")
    assert availability.lacks(acme, "touchpoints").data.startswith(f"> {acme.name} has no touchpoints in its data,")


def test_when_builds_only_what_the_company_has_data_for(acme, companies):
    built = []

    def build():
        built.append(True)
        return "the table"

    assert availability.when(companies["lumen"], "touchpoints", build) == "the table"
    assert built == [True]
    skipped = availability.when(acme, "touchpoints", build)
    assert built == [True]  # not called: a company without the data never reaches the computation
    assert skipped.data == availability.lacks(acme, "touchpoints").data


def test_when_with_several_needs_wants_them_all(acme, companies):
    needs = ("leads", "opportunities")
    assert availability.when(companies["lumen"], needs, lambda: 42) == 42
    skipped = availability.when(acme, needs, lambda: 42)
    assert skipped.data.startswith(f"> {acme.name} has no deals in its data, so this step is skipped.")


def test_measured_shows_what_cannot_be_measured(acme, companies):
    values = pd.Series({"leads": 300.0, "cost per lead": 0.0})
    shown = availability.measured(acme, values, {"cost per lead": "campaigns.spend"})
    assert shown["leads"] == 300 and shown["cost per lead"] == "not in your data"
    assert availability.measured(companies["lumen"], values, {"cost per lead": "campaigns.spend"}) is values
    frame = pd.DataFrame({"channel": ["email"], "spend": [0.0]})
    assert availability.measured(acme, frame, {"spend": "campaigns.spend"})["spend"].tolist() == ["not in your data"]


def test_describe_and_note_say_what_an_import_lacks(acme, companies):
    text = availability.describe(acme)
    assert text.startswith(f"{acme.name} was imported from a hubspot export. Not in the export, so not analysed "
                           "here: touchpoints, later_touchpoints, support_tickets, orders, career_moves, activities, "
                           "targets, opportunity_history, opportunities. Approximated: ")
    assert availability.note(acme).data.startswith("> **Your data:** " + text)
    assert availability.describe(companies["lumen"]) == "" and availability.note(companies["lumen"]) is None


def test_the_dashboard_and_the_apps_do_not_load_the_importer():
    """Asking what a company has is a property of the company: the KPI dashboard and the apps must not pull in
    the CRM readers (GBK decoding, YAML mapping files) to ask it."""
    code = ("import sys, smarketing.dashboard, smarketing.widgets; "
            "print(sorted(m for m in sys.modules if m.startswith('smarketing.datasets')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "'smarketing.datasets.availability'" in loaded  # the check below looks at the right modules
    assert "smarketing.datasets.crm" not in loaded


def test_values_in_a_note_are_text_in_markdown():
    from nbconvert.filters.markdown import markdown2html

    value = "Smith & <EMEA> <img src=x onerror=alert(1)> [x](javascript:alert(1)) **b** _i_ $1,200 and $300"
    rendered = markdown2html(availability.markdown_text(value + "\nnext line"))
    assert "<img" not in rendered and "<EMEA>" not in rendered and "<a " not in rendered
    assert "<strong>" not in rendered and "<em>" not in rendered
    # MathJax typesets a page's text: "\$" is its escape for a dollar sign that starts no formula.
    assert rendered == ("<p>Smith &amp; &lt;EMEA&gt; &lt;img src=x onerror=alert(1)&gt; [x](javascript:alert(1)) **b** "
                        "_i_ \\$1,200 and \\$300 next line</p>\n")
