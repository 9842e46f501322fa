"""Companies on disk: the committed folders load typed and fit the schema; bad data gets one clear error naming
the file, the column and the lines, and how to fix it."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from tests.conftest import DATASETS
from smarketing import DataValidationError, load_company, schema
from smarketing.datasets import COMPANIES, GRADED_COMPANIES, read_folder, write_company
from smarketing.datasets.store import _as_text, neutralise_formulas, restore_formulas
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


# ---- CSV injection: text cells a spreadsheet would run are quoted on write and read back unchanged ----------

QUOTED = [  # a name, and how its cell is written in employees.csv
    ('=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'),
    ("+1 555 0100", "'+1 555 0100"),
    ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("'=already quoted", "''=already quoted"),  # a quote that precedes a formula is doubled, …
    ("''+two quotes", "'''+two quotes"),
    ("'plain", "'plain"),  # … one before anything else is left as it is
    ("O'Brien", "O'Brien"),
    ("Ana Silva", "Ana Silva"),
    ("\rAna\r\nSilva\rKim", '"\nAna\nSilva\nKim"'),  # a bare CR would end the row: line breaks become \n
]


@pytest.fixture(scope="module")
def quoted(companies, tmp_path_factory):
    """ferro written as an import, with the names of QUOTED for its first employees and the first one's id
    "=E0001" in every table that points to it: (the folder, the name cells of employees.csv, the company
    loaded back)."""
    tables = {name: frame.copy() for name, frame in companies["ferro"].tables.items()}
    employees = tables["employees"]
    employees.loc[employees.index[:len(QUOTED)], "name"] = [value for value, _cell in QUOTED]
    for table in schema.TABLES.values():
        for column in table.columns:
            if column.references == "employees.employee_id" or (table.name, column.name) == ("employees", "employee_id"):
                tables[table.name][column.name] = tables[table.name][column.name].replace("E0001", "=E0001")
    folder = write_company(tables, {"name": "acme", "import": {"notes": ["kept"]}},
                           tmp_path_factory.mktemp("quoted") / "acme")
    text = (folder / "employees.csv").read_text(encoding="utf-8")
    # Each row after the header starts with an id that has no comma or line break: E0002, or '=E0001.
    rows = re.split(r"\n(?='?=?E\d{4},)", text.rstrip("\n"))[1:]
    return folder, [row.split(",", 1)[1].rsplit(",", 7)[0] for row in rows], load_company(folder)


@pytest.mark.parametrize(("number", "value", "cell"), [(n, v, c) for n, (v, c) in enumerate(QUOTED)])
def test_formula_cells_are_quoted_on_write_and_read_back_unchanged(quoted, number, value, cell):
    _folder, cells, loaded = quoted
    assert cells[number] == cell
    # The loader strips a text cell's outer blanks, quoted or not: a tab or CR in front was never kept.
    assert loaded.employees["name"].iloc[number] == value.strip().replace("\r\n", "\n").replace("\r", "\n")


def test_quoted_ids_still_link_and_the_note_counts_the_cells(quoted, companies):
    folder, _cells, loaded = quoted
    assert (folder / "employees.csv").read_text(encoding="utf-8").split("\n")[1].startswith("'=E0001,")
    assert loaded.employees["employee_id"].iloc[0] == "=E0001"
    ferro = companies["ferro"]
    links = {(name, c.name): int((frame[c.name] == "E0001").sum()) for name, frame in ferro.tables.items()
             for c in schema.TABLES[name].columns if c.references == "employees.employee_id"}
    assert {place: int((loaded.tables[place[0]][place[1]] == "=E0001").sum()) for place in links} == links
    assert sum(links.values()) > 0 and schema.check_references(loaded.tables) == []  # E0001 is still linked
    links = sum(links.values())
    names = sum(cell.lstrip('"').startswith("'") and cell != value for value, cell in QUOTED)  # 7
    notes = loaded.params["import"]["notes"]
    assert notes[0] == "kept" and len(notes) == 2
    assert notes[1].startswith(f"{names + 1 + links:,} text cell(s) begin with =, +, -, @")
    assert f"1 in employees.csv, column employee_id; {names} in employees.csv, column name" in notes[1]
    assert "reads them back unchanged" in notes[1]
    assert json.loads((folder / "company.json").read_text(encoding="utf-8"))["import"]["notes"] == notes


def test_numbers_and_dates_are_never_quoted():
    frame = pd.DataFrame({"campaign_id": ["-C1", "C2"], "name": ["=1+1", "fine"], "channel": ["email", "email"],
                          "start_date": pd.to_datetime(["2025-01-01", "2025-01-02"]),
                          "end_date": pd.to_datetime(["2025-01-03", pd.NaT]), "spend": [-5.0, 12.5]})
    table = schema.TABLES["campaigns"]
    text, counts = neutralise_formulas(table, _as_text(table, frame))
    assert text["spend"].tolist() == ["-5.00", "12.50"] and text["start_date"].tolist() == ["2025-01-01", "2025-01-02"]
    assert text["campaign_id"].tolist() == ["'-C1", "C2"] and text["name"].tolist() == ["'=1+1", "fine"]
    assert counts == {"campaign_id": 1, "name": 1}
    restored = restore_formulas(table, text.astype(object))
    assert restored[["campaign_id", "name"]].astype(str).values.tolist() == [["-C1", "=1+1"], ["C2", "fine"]]


def test_the_course_datasets_are_written_byte_for_byte_as_committed(companies, tmp_path):
    """No course cell starts like a formula: quoting changes none of their bytes, and a company that is not
    an import gets no note."""
    company = companies["ferro"]
    folder = write_company(dict(company.tables), company.params, tmp_path / "ferro")
    for name in [*(t.file for t in schema.TABLES.values()), "company.json"]:
        if (DATASETS / "ferro" / name).exists():
            assert (folder / name).read_bytes() == (DATASETS / "ferro" / name).read_bytes(), name


def test_check_typed_finds_what_the_loader_would(companies):
    """An import checks the tables it builds as typed; each mistake the loader would refuse is found too."""
    from smarketing import schema

    table = schema.TABLES["leads"]
    leads = companies["lumen"].leads.head(20).copy()
    assert schema.check_typed(table, leads) == []
    leads["channel"] = leads["channel"].astype(object)
    leads.loc[3, "channel"] = "carrier_pigeon"
    leads.loc[5, "lead_id"] = ""
    leads.loc[7, "mql_at"] = leads.loc[7, "created_at"] - pd.Timedelta(days=2)
    problems = {p.column: (p.rows, p.message) for p in schema.check_typed(table, leads)}
    assert problems["channel"][0] == (5,) and "unknown value(s) such as 'carrier_pigeon'" in problems["channel"][1]
    assert problems["lead_id"][0] == (7,) and "empty value(s)" in problems["lead_id"][1]
    assert problems["mql_at"][0] == (9,) and "dates out of order" in problems["mql_at"][1]
    leads.loc[3, "channel"] = "other"  # allowed in an imported company only, and no problem there
    assert "channel" not in {p.column for p in schema.check_typed(table, leads)}
