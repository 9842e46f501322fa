"""A loaded company: its tables as attributes, the quarters its data covers, and the overview of several."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import moved_in_time
from smarketing.datasets import COURSE_QUARTERS, Quarters, overview


def test_quarter_index_outside_the_data():
    moments = pd.Series(pd.to_datetime(["2023-12-31", "2024-01-01", "2025-12-31", None]))
    assert COURSE_QUARTERS.index(moments).tolist() == [-1, 0, 7, -1]
    assert COURSE_QUARTERS.starts[4] == pd.Timestamp("2025-01-01") and COURSE_QUARTERS.labels[4] == "2025Q1"


def test_quarters_span_any_period():
    quarters = Quarters.spanning("2020-02-15", "2021-04-01")
    assert quarters.labels == ("2020Q1", "2020Q2", "2020Q3", "2020Q4", "2021Q1", "2021Q2")
    assert quarters.months == 18 and quarters.starts[1] == pd.Timestamp("2020-04-01")
    moments = pd.Series(pd.to_datetime(["2019-12-31", "2020-01-01", "2020-07-15", "2021-06-30", "2021-07-01"]))
    assert quarters.index(moments).tolist() == [-1, 0, 2, 5, -1]
    assert quarters.totals(moments, [1, 2, 3, 4, 5]).tolist() == [2, 0, 3, 0, 0, 4]


def test_a_company_s_quarters_follow_its_data(companies):
    assert companies["lumen"].quarters == COURSE_QUARTERS  # the generator's period, from company.json
    later = moved_in_time(companies["lumen"], 3)  # no period recorded, as an import: from its own dates
    assert later.quarters.labels[0] == "2027Q1" and later.quarters.labels[7] == "2028Q4"


def test_a_missing_table_is_named_with_the_ones_there(companies):
    with pytest.raises(AttributeError, match="This company has no table 'deals'. Tables: campaigns, leads"):
        companies["lumen"].deals  # noqa: B018 - the attribute access is what is tested


def test_overview_counts_each_company(companies):
    table = overview(companies)
    lumen = companies["lumen"]
    assert table.index.tolist() == ["lumen", "ferro", "bloom"]
    assert table.loc["lumen", "leads"] == len(lumen.leads) == 8000
    assert table.loc["lumen", "customers_won"] == (lumen.opportunities["outcome"] == "won").sum()
    assert table.loc["bloom", "orders"] == len(companies["bloom"].orders) > 0 == table.loc["lumen", "orders"]
    staff = table.loc["ferro", [c for c in table.columns if c.startswith("staff_")]]
    assert staff.sum() == len(companies["ferro"].employees)


def test_overview_of_an_import_counts_only_what_its_export_held(companies, tmp_path):
    """A deals-only export has no leads and lists sales owners only: no count of 0 for what it never held."""
    from smarketing import load_company
    from smarketing.datasets.crm import import_files
    from tests.datasets.crm.exports import hubspot

    files = hubspot(companies["lumen"], tmp_path / "export", leads=150)
    acme = load_company(import_files([files[1]], tmp_path / "acme"))  # the deals alone
    row = overview({"lumen": companies["lumen"], "acme": acme}).loc["acme"]
    assert row["leads"] == "not in your data" and row["staff_marketing"] == "not in your data"
    assert row["customers_won"] == (acme.opportunities["outcome"] == "won").sum() > 0
    assert row["staff_sales"] == len(acme.employees)
    assert overview(companies).loc["lumen", "leads"] == len(companies["lumen"].leads)
