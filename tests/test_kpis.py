"""Each KPI against values worked out by hand, plus the empty, zero-denominator and bad-input cases."""

from __future__ import annotations

import inspect
import math

import pandas as pd
import pytest

from smarketing import kpis


@pytest.mark.parametrize(("function", "args", "expected"), [
    (kpis.cost_per_lead, (12_000, 80), 150.0),                      # 12 000 / 80
    (kpis.conversion_rate, (45, 180), 0.25),                        # 45 / 180
    (kpis.win_rate, (30, 90), 0.25),                                # 30 / (30 + 90)
    (kpis.average_deal_size, (540_000, 18), 30_000.0),              # 540 000 / 18
    (kpis.pipeline_coverage, (900_000, 300_000), 3.0),              # 900 000 / 300 000
    (kpis.pipeline_velocity, (40, 25_000, 0.25, 50), 5_000.0),      # 40 * 25 000 * 0.25 / 50
    (kpis.customer_acquisition_cost, (250_000, 50), 5_000.0),       # 250 000 / 50
    (kpis.cac_payback_months, (6_000, 500, 0.8), 15.0),             # 6 000 / (500 * 0.8)
    (kpis.lifetime_value, (500, 0.8, 0.02), 20_000.0),              # 500 * 0.8 / 0.02
    (kpis.ltv_to_cac, (20_000, 5_000), 4.0),                        # 20 000 / 5 000
    (kpis.net_revenue_retention, (100_000, 15_000, 3_000, 7_000), 1.05),  # (100 + 15 - 3 - 7) / 100
    (kpis.gross_revenue_retention, (100_000, 3_000, 7_000), 0.90),  # (100 - 3 - 7) / 100
    (kpis.churn_rate, (6, 200), 0.03),                              # 6 / 200
    (kpis.quota_attainment, (165_000, 150_000), 1.1),               # 165 / 150
    (kpis.cart_abandonment_rate, (300, 1_000), 0.7),                # 1 - 300 / 1 000
    (kpis.perfect_order_rate, (920, 1_000), 0.92),                  # 920 / 1 000
    (kpis.roas, (30_000, 20_000), 1.5),                             # 30 000 / 20 000
    (kpis.romi, (30_000, 20_000, 0.8), 0.2),                        # (30 000 * 0.8 - 20 000) / 20 000
    (kpis.cac_ratio, (200_000, 100_000), 2.0),                      # 200 000 / 100 000
    (kpis.cost_per_ticket, (4_500, 300), 15.0),                     # 4 500 / 300
    (kpis.engagement_rate, (120, 400), 0.3),                        # 120 / 400
    (kpis.lead_leakage_rate, (18, 90), 0.2),                        # 18 / 90
    (kpis.on_time_delivery_rate, (850, 1_000), 0.85),               # 850 / 1 000
    (kpis.return_rate, (80, 1_000), 0.08),                          # 80 / 1 000
    (kpis.repeat_purchase_rate, (45, 150), 0.3),                    # 45 / 150
])
def test_kpi_by_hand(function, args, expected):
    assert function(*args) == pytest.approx(expected)


@pytest.mark.parametrize(("function", "args"), [
    (kpis.cost_per_lead, (5_000, 0)),
    (kpis.conversion_rate, (0, 0)),
    (kpis.win_rate, (0, 0)),
    (kpis.average_deal_size, (0, 0)),
    (kpis.pipeline_coverage, (10_000, 0)),
    (kpis.pipeline_velocity, (10, 1_000, 0.2, 0)),
    (kpis.customer_acquisition_cost, (80_000, 0)),
    (kpis.cac_payback_months, (1_000, 0, 0.7)),
    (kpis.lifetime_value, (100, 0.7, 0)),
    (kpis.ltv_to_cac, (1_000, 0)),
    (kpis.net_revenue_retention, (0, 0, 0, 0)),
    (kpis.gross_revenue_retention, (0, 0, 0)),
    (kpis.churn_rate, (0, 0)),
    (kpis.quota_attainment, (10, 0)),
    (kpis.cart_abandonment_rate, (0, 0)),
    (kpis.perfect_order_rate, (0, 0)),
    (kpis.roas, (100, 0)),
    (kpis.romi, (100, 0, 0.5)),
    (kpis.cac_ratio, (100, 0)),
    (kpis.cost_per_ticket, (100, 0)),
    (kpis.engagement_rate, (0, 0)),
    (kpis.lead_leakage_rate, (0, 0)),
    (kpis.on_time_delivery_rate, (0, 0)),
    (kpis.return_rate, (0, 0)),
    (kpis.repeat_purchase_rate, (0, 0)),
])
def test_zero_denominator_is_nan_not_an_error(function, args):
    result = function(*args)
    assert isinstance(result, float) and math.isnan(result)


@pytest.mark.parametrize(("function", "args", "message"), [
    (kpis.cost_per_lead, (-100, 10), "spend must not be negative"),
    (kpis.conversion_rate, (12, 10), r"converted \(12\) cannot exceed entered \(10\)"),
    (kpis.win_rate, (-1, 4), "won must not be negative"),
    (kpis.cac_payback_months, (1_000, 100, 75), "gross_margin is a share between 0 and 1"),
    (kpis.churn_rate, (5, -2), "customers_at_start must not be negative"),
    (kpis.roas, (100, float("nan")), "spend is missing"),
    (kpis.romi, (100, 50, 1.5), "gross_margin is a share"),
    (kpis.lead_leakage_rate, (30, 20), r"leaked_mqls \(30\) cannot exceed mqls \(20\)"),
    (kpis.repeat_purchase_rate, (-1, 20), "repeat_orders must not be negative"),
])
def test_bad_input_says_what_is_wrong(function, args, message):
    with pytest.raises(ValueError, match=message):
        function(*args)


def test_nps_and_csat_by_hand():
    # 4 promoters (9, 10, 9, 10), 3 passives (7, 8, 8), 3 detractors (0, 5, 6) of 10: 40 % - 30 % = 10
    assert kpis.net_promoter_score([9, 10, 9, 10, 7, 8, 8, 0, 5, 6]) == pytest.approx(10.0)
    # 3 of the 4 answered ratings are 4 or 5; the missing answer is ignored
    assert kpis.csat(pd.Series([5, 4, 2, None, 4])) == pytest.approx(0.75)
    assert math.isnan(kpis.net_promoter_score([])) and math.isnan(kpis.csat([]))
    with pytest.raises(ValueError, match="NPS answers are whole numbers from 0 to 10; found 11"):
        kpis.net_promoter_score([3, 11])
    with pytest.raises(ValueError, match="CSAT ratings are whole numbers from 1 to 5; found 0"):
        kpis.csat([0, 5])


def test_sales_cycle_days_by_hand():
    created = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01", None]))
    closed = pd.Series(pd.to_datetime(["2025-01-31", "2025-03-02", "2025-02-11", "2025-03-01"]))
    # 30, 60 and 10 days (the row without a creation date is left out): median 30
    assert kpis.sales_cycle_days(created, closed) == pytest.approx(30.0)
    assert math.isnan(kpis.sales_cycle_days(pd.Series([], dtype="datetime64[s]"), pd.Series([], dtype="datetime64[s]")))
    with pytest.raises(ValueError, match="1 deal\\(s\\) close before they were created"):
        kpis.sales_cycle_days(created.iloc[:1], pd.Series(pd.to_datetime(["2024-12-01"])))


def test_resolution_hours_and_order_cycle_days_by_hand():
    opened = pd.Series(pd.to_datetime(["2025-01-01 08:00", "2025-01-01 09:00", "2025-01-02 10:00", "2025-01-03 00:00"]))
    resolved = pd.Series(pd.to_datetime(["2025-01-01 10:00", "2025-01-02 09:00", "2025-01-02 16:00", None]))
    # 2, 24 and 6 hours (the open ticket is left out): median 6
    assert kpis.resolution_hours(opened, resolved) == pytest.approx(6.0)
    ordered = pd.Series(pd.to_datetime(["2025-03-01 00:00", "2025-03-01 00:00", "2025-03-02 12:00"]))
    delivered = pd.Series(pd.to_datetime(["2025-03-03", "2025-03-06", "2025-03-06"]))
    # 2, 5 and 3.5 days: median 3.5
    assert kpis.order_cycle_days(ordered, delivered) == pytest.approx(3.5)
    empty = pd.Series([], dtype="datetime64[s]")
    assert math.isnan(kpis.resolution_hours(empty, empty)) and math.isnan(kpis.order_cycle_days(empty, empty))
    with pytest.raises(ValueError, match="1 ticket\\(s\\) are resolved before they were opened"):
        kpis.resolution_hours(opened.iloc[1:2], pd.Series(pd.to_datetime(["2025-01-01"]), index=[1]))
    with pytest.raises(ValueError, match="1 order\\(s\\) are delivered before they were placed"):
        kpis.order_cycle_days(ordered.iloc[:1], pd.Series(pd.to_datetime(["2025-02-01"])))


KPI_TREE_FUNCTIONS = {"kpi_tree_problems", "kpi_tree_table"}  # exercise 02's design deliverable: not KPIs


def test_the_catalog_lists_every_kpi_function_and_nothing_else():
    functions = {name for name, obj in inspect.getmembers(kpis, inspect.isfunction)
                 if obj.__module__ == kpis.__name__ and not name.startswith("_")}
    assert functions - KPI_TREE_FUNCTIONS == set(kpis.KPI_CATALOG)
    for info in kpis.KPI_CATALOG.values():
        assert info.owner in {"marketing", "sales", "operations", "shared"}
        assert info.formula and info.unit


# ---- a KPI tree (exercise 02's design deliverable) --------------------------------------------------------------

OWNERS = ("marketing", "sales", "operations")
TREE = {  # one right tree among many
    "bookings": {"owner": "sales", "leading": {"mqls": "marketing", "speed_to_lead_minutes": "sales",
                                              "pipeline_coverage": "sales"}},
    "net_revenue_retention": {"owner": "operations", "leading": {"resolution_hours": "operations"}},
}


def test_every_kpi_of_the_catalogue_and_the_dashboard_has_a_stage(companies):
    from smarketing import dashboard

    assert next(iter(kpis.KPI_STAGES)) == "demand" and list(kpis.KPI_STAGES)[-1] == "retention"
    assert set(kpis.KPI_STAGE.values()) == set(kpis.KPI_STAGES)
    assert set(kpis.KPI_CATALOG) - {"conversion_rate"} <= set(kpis.KPI_STAGE)
    for company in companies.values():  # bloom has orders: every KPI the dashboard shows
        assert set(dashboard.quarterly_kpis(company)["kpi"]) <= set(kpis.KPI_STAGE), company.name
    before = list(kpis.KPI_STAGES).index  # the revenue chain in its order, by hand
    assert before("demand") < before("mql") < before("response") < before("qualification") < before("pipeline") \
        < before("bookings") < before("service") < before("retention")
    assert kpis.KPI_STAGE["speed_to_lead_minutes"] == "response" and kpis.KPI_STAGE["csat"] == "service"


def test_a_right_tree_has_no_problem_and_many_trees_are_right():
    assert kpis.kpi_tree_problems(TREE, min_lagging=2, required_owners=OWNERS) == []
    others = [  # each a different, defensible tree
        {"new_customers": {"owner": "sales", "leading": {"sqls": "sales", "win_rate": "sales"}},
         "churn_rate": {"owner": "operations", "leading": {"csat": "operations", "tickets": "operations"}},
         "customer_acquisition_cost": {"owner": "marketing", "leading": {"cost_per_lead": "marketing"}}},
        {"bookings": {"owner": "revops", "leading": {"lead_leakage_rate": "sales", "mql_to_sql_rate": "marketing"}},
         "gross_revenue_retention": {"owner": "operations", "leading": {"net_promoter_score": "operations",
                                                                        "bookings": "revops"}}},
        {"sqls": {"owner": "sales", "leading": {"mqls": "marketing", "lead_leakage_rate": "sales"}, "target": 200},
         "orders": {"owner": "operations", "leading": {"cart_abandonment_rate": "operations"}}},
    ]
    for tree in others:
        assert kpis.kpi_tree_problems(tree, min_lagging=2, required_owners=OWNERS) == [], tree
    assert kpis.kpi_tree_problems({"bookings": {"owner": "Sales", "leading": {"mqls": " marketing "}}}) == []


@pytest.mark.parametrize(("tree", "parts"), [
    (["bookings"], ("Your tree is a list", "{lagging KPI: {\"owner\": function")),
    ({}, ("Your tree is empty",)),
    ({"bookings": "sales"}, ("The entry of bookings should be a dictionary with an \"owner\"",)),
    ({"bookings": {"owner": "sales", "leading": ["mqls", "sqls"]}},
     ("The leading KPIs of bookings are a list: give each its owner",)),
    ({"bookings": {"owner": "sales", "leading": {}}}, ("bookings has no leading KPI",)),
    ({"bookings": {"owner": "sales", "leading": {"bookings": "sales"}}}, ("bookings is given as its own leading KPI",)),
    ({"bookings": {"owner": "sales", "leading": {"NRR": "operations"}}},
     ("'NRR' is not a name of the KPI catalogue; did you mean 'net_revenue_retention'?",)),
    ({"bookings": {"owner": "sales", "leading": {"Win Rate": "sales"}}}, ("did you mean 'win_rate'?",)),
    ({"bookings": {"owner": "sales", "leading": {"happiness": "sales"}}}, ("'happiness' is not a KPI of the course",)),
    ({"bookings": {"owner": "sales", "leading": {"conversion_rate": "sales"}}},
     ("conversion_rate is the rate of every stage", "mql_to_sql_rate")),
    ({"bookings": {"owner": "shared", "leading": {"sqls": "sales"}}},
     ("bookings is owned by 'shared': a KPI that everybody owns is nobody's",)),
    ({"bookings": {"owner": "ops", "leading": {"sqls": "sales"}}}, ("'ops', the owner of bookings, is not a function",)),
    ({"sqls": {"owner": "sales", "leading": {"bookings": "sales"}}},
     ("bookings (bookings) cannot lead sqls (qualification): it moves at a later stage",)),
    ({"sqls": {"owner": "sales", "leading": {"mql_to_sql_rate": "sales"}}},
     ("mql_to_sql_rate (qualification) cannot lead sqls (qualification): it moves at the same stage",)),
    ({"bookings": {"owner": "sales", "leading": {"sqls": "sales"}},
      "new_customers": {"owner": "sales", "leading": {"sqls": "marketing"}}},
     ("sqls has 2 owners in your tree (sales, marketing): one KPI, one owner",)),
])
def test_a_wrong_tree_is_told_what_is_wrong_in_teaching_words(tree, parts):
    problems = kpis.kpi_tree_problems(tree)
    assert len(problems) == 1, problems
    assert all(part in problems[0] for part in parts), problems[0]


def test_the_tree_rules_that_the_design_sets():
    one = {"bookings": TREE["bookings"]}
    assert kpis.kpi_tree_problems(one) == []
    problems = kpis.kpi_tree_problems(one, min_lagging=2, required_owners=OWNERS)
    assert problems == [("Your tree has 1 lagging KPI(s); this design asks for at least 2, each with the leading "
                         "KPIs that predict it."),
                        ("operations owns no KPI of your tree: the page is read by marketing, sales, operations, "
                         "and each should find on it a number it moves.")]
    several = {"mqls": {"owner": "shared", "leading": {"sqls": "sales", "nps": "operations"}}}
    assert len(kpis.kpi_tree_problems(several)) == 3  # every problem is listed, each once


def test_the_tree_as_a_table():
    table = kpis.kpi_tree_table(TREE)
    assert list(table.columns) == ["lagging", "lagging_owner", "lagging_stage", "leading", "leading_owner",
                                   "leading_stage"]
    assert table["lagging"].tolist() == ["bookings"] * 3 + ["net_revenue_retention"]
    assert table.iloc[0].tolist() == ["bookings", "sales", "bookings", "mqls", "marketing", "mql"]
    empty = kpis.kpi_tree_table({"bookings": {"owner": "sales", "leading": {}}})
    assert empty.iloc[0].tolist() == ["bookings", "sales", "bookings", "", "", ""]
    with pytest.raises(ValueError, match="Your tree is a str"):
        kpis.kpi_tree_table("bookings")
