"""Companies on disk: the committed folders load typed and fit the schema; bad data gets one clear error naming
the file, the column and the lines, and how to fix it."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tests.conftest import DATASETS
from smarketing import DataValidationError, load_company, schema
from smarketing.datasets import COMPANIES, GRADED_COMPANIES, read_folder
from smarketing.datasets.generator.cohorts import cohort_profile


@pytest.fixture()
def company_copy(tmp_path):
    """A scratch copy of ferro that a test may damage."""
    target = tmp_path / "ferro"
    shutil.copytree(DATASETS / "ferro", target)
    return target


def _edit(folder, table, change):
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = change(frame)
    frame.to_csv(path, index=False)


def _error(folder) -> str:
    with pytest.raises(DataValidationError) as info:
        load_company(folder)
    return str(info.value)


@pytest.mark.parametrize("name", [*COMPANIES, *GRADED_COMPANIES])
def test_committed_dataset_fits_the_schema(name):
    tables, problems, missing = read_folder(DATASETS / name)
    assert problems == []
    profile = COMPANIES[name] if name in COMPANIES else cohort_profile(name)
    expected_missing = () if profile.orders_per_lead else ("orders",)
    assert missing == expected_missing
    for table_name, frame in tables.items():
        assert list(frame.columns) == [c.name for c in schema.TABLES[table_name].columns]
        if table_name not in missing:
            assert len(frame) > 0, table_name


def test_loaded_tables_are_typed(companies):
    leads = companies["lumen"].leads
    assert pd.api.types.is_datetime64_any_dtype(leads["created_at"])
    assert pd.api.types.is_datetime64_any_dtype(leads["mql_at"])
    assert isinstance(leads["segment"].dtype, pd.CategoricalDtype)
    assert list(leads["segment"].cat.categories) == list(schema.SEGMENTS)
    assert pd.api.types.is_integer_dtype(leads["score"])
    assert pd.api.types.is_float_dtype(leads["first_response_minutes"])
    assert companies["bloom"].orders["returned"].dtype == "boolean"
    assert companies["lumen"].params["name"] == "lumen"


def test_every_foreign_key_resolves(companies):
    for company in companies.values():
        assert schema.check_references(company.tables) == []


def test_unknown_company_lists_the_known_ones():
    with pytest.raises(DataValidationError, match="no such company or folder.*lumen, ferro, bloom"):
        load_company("acme")


def test_missing_file(company_copy):
    (company_copy / "campaigns.csv").unlink()
    message = _error(company_copy)
    assert "campaigns.csv: the file is missing" in message
    assert "smarketing generate" in message


def test_missing_column(company_copy):
    _edit(company_copy, "leads", lambda f: f.drop(columns=["score"]))
    message = _error(company_copy)
    assert "leads.csv, column 'score': required column(s) missing" in message
    assert "columns found: lead_id" in message


def test_wrong_type_names_column_lines_and_example(company_copy):
    def corrupt(frame):
        frame.loc[[2, 7], "score"] = ["high", "n/a"]
        return frame
    _edit(company_copy, "leads", corrupt)
    message = _error(company_copy)
    assert "leads.csv, column 'score', line(s) 4, 9: value(s) that are not whole numbers (e.g. 'high')" in message
    assert "Write whole numbers" in message


def test_currency_symbols_are_refused_with_a_fix(company_copy):
    def corrupt(frame):
        frame.loc[0, "spend"] = "$1,200.00"
        return frame
    _edit(company_copy, "campaigns", corrupt)
    message = _error(company_copy)
    assert "campaigns.csv, column 'spend', line(s) 2" in message
    assert "without currency symbols or thousands separators" in message


def test_negative_spend(company_copy):
    def corrupt(frame):
        frame.loc[3, "spend"] = "-500"
        return frame
    _edit(company_copy, "campaigns", corrupt)
    message = _error(company_copy)
    assert "campaigns.csv, column 'spend', line(s) 5: negative value(s) (e.g. -500.0); spend cannot be below zero" \
        in message


def test_dates_out_of_order(company_copy):
    def corrupt(frame):
        frame.loc[0, ["start_date", "end_date"]] = ["2025-03-10", "2025-03-01"]
        return frame
    _edit(company_copy, "campaigns", corrupt)
    message = _error(company_copy)
    assert "campaigns.csv, column 'end_date', line(s) 2: dates out of order: end_date comes before start_date" \
        in message


def test_unparseable_date(company_copy):
    def corrupt(frame):
        frame.loc[5, "created_at"] = "31/13/2025"
        return frame
    _edit(company_copy, "leads", corrupt)
    assert "leads.csv, column 'created_at', line(s) 7: value(s) that are not date-times" in _error(company_copy)


def test_unknown_category_and_duplicate_id(company_copy):
    def corrupt(frame):
        frame.loc[1, "segment"] = "giant"
        frame.loc[2, "lead_id"] = frame.loc[3, "lead_id"]
        return frame
    _edit(company_copy, "leads", corrupt)
    message = _error(company_copy)
    assert "column 'segment', line(s) 3: unknown value(s) such as 'giant'. Allowed: smb, mid_market, enterprise" \
        in message
    assert "column 'lead_id', line(s) 4, 5: duplicate identifier(s)" in message


def test_dangling_reference(company_copy):
    def corrupt(frame):
        frame.loc[0, "campaign_id"] = "C9999"
        return frame
    _edit(company_copy, "leads", corrupt)
    message = _error(company_copy)
    assert "leads.csv, column 'campaign_id', line(s) 2: value(s) such as 'C9999' not found in campaigns.campaign_id" \
        in message


def test_wrong_encoding(company_copy):
    path = company_copy / "employees.csv"
    path.write_bytes(path.read_bytes() + "E9999,张伟,sales,Sales Rep,1,2024-01-01,,north,\n".encode("gbk"))
    message = _error(company_copy)
    assert "employees.csv: the file is not UTF-8 text" in message
    assert "CSV UTF-8" in message


def test_empty_file_and_every_problem_reported_at_once(company_copy):
    (company_copy / "targets.csv").write_text("")
    (company_copy / "accounts.csv").unlink()
    error = pytest.raises(DataValidationError, load_company, company_copy).value
    assert len(error.problems) == 2
    assert "targets.csv: the file is empty" in str(error)
    assert "has 2 problem(s)" in str(error)


def test_utf8_with_bom_is_accepted(company_copy):
    path = company_copy / "targets.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_company(company_copy).targets) > 0


def test_a_failed_load_changes_nothing(company_copy):
    before = {p.name: p.read_bytes() for p in company_copy.iterdir()}
    _edit(company_copy, "leads", lambda f: f.drop(columns=["segment"]))
    damaged = (company_copy / "leads.csv").read_bytes()
    _error(company_copy)
    after = {p.name: p.read_bytes() for p in company_copy.iterdir()}
    assert after == {**before, "leads.csv": damaged}
