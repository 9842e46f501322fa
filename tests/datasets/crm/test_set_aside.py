"""The ordinary mess of real exports is read, with a note of what was set aside (file, column, lines) that
every notebook shows; only what makes an export unusable is refused, and --strict refuses the rest too.
Hostile mapping files fail fast."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from smarketing import load_company
from smarketing.cli import main
from smarketing.datasets import DataValidationError
from smarketing.datasets.crm import import_files
from smarketing.datasets.crm.mapping_file import MAX_ALIASES, load_mapping
from tests.datasets.crm.exports import hubspot


@pytest.fixture(scope="module")
def hubspot_files(tmp_path_factory, companies):
    return hubspot(companies["lumen"], tmp_path_factory.mktemp("hubspot"), leads=150)


def _frames(files) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (pd.read_csv(files[0], dtype=str, keep_default_na=False),
            pd.read_csv(files[1], dtype=str, keep_default_na=False, encoding="utf-8-sig"))


def _aside(company, column: str) -> list[dict]:
    return [a for a in company.params["import"]["set_aside"] if a["column"] == column]


def test_closed_deals_without_a_close_date_are_kept_out_of_cycle_times_only(hubspot_files, tmp_path):
    contacts, deals = _frames(hubspot_files)
    closed = deals.index[deals["Deal Stage"].isin(["Closed Won", "Closed Lost"])][:3]
    deals.loc[closed, "Close Date"] = ""
    open_deals = deals.index[~deals["Deal Stage"].isin(["Closed Won", "Closed Lost"])][:2]
    deals.loc[open_deals, "Close Date"] = "12/31/2099"  # an open deal's expected close may lie ahead
    deals.to_csv(tmp_path / "deals.csv", index=False)
    company = load_company(import_files([hubspot_files[0], tmp_path / "deals.csv"], tmp_path / "acme"))
    assert len(company.opportunities) == len(deals)  # every deal kept
    [kept] = _aside(company, "Close Date")
    assert kept["kept"] and kept["lines"] == [int(i) + 2 for i in closed]
    ids = company.opportunities.set_index("opportunity_id")
    assert ids.loc[deals.loc[closed, "Record ID"], "closed_at"].isna().all()
    assert ids.loc[deals.loc[closed, "Record ID"], "outcome"].isin(["won", "lost"]).all()
    note = next(n for n in company.params["import"]["notes"] if "Close Date" in n)
    assert "kept 3 row(s) without this value" in note and "win rates but not in cycle times" in note


def test_dates_that_cannot_be_true_are_set_aside_with_their_lines(hubspot_files, tmp_path):
    contacts, _deals = _frames(hubspot_files)
    contacts.loc[4, "Create Date"] = "01/01/1899 09:00 AM"
    contacts.loc[9, "Create Date"] = "06/01/2031 09:00 AM"  # after the export: a past event cannot be
    contacts.loc[12, "Became a Marketing Qualified Lead Date"] = "03/03/1970 10:00 AM"
    contacts.to_csv(tmp_path / "contacts.csv", index=False)
    company = load_company(import_files([tmp_path / "contacts.csv"], tmp_path / "acme",
                                        mapping="hubspot"))
    [created] = _aside(company, "Create Date")
    assert created["lines"] == [6, 11] and not created["kept"] and "before 1990 or after the export" in created["reason"]
    [mql] = _aside(company, "Became a Marketing Qualified Lead Date")
    assert mql["lines"] == [14] and mql["kept"]
    assert len(company.leads) == len(contacts) - 2
    assert company.leads.set_index("lead_id").loc[contacts.loc[12, "Record ID"], "mql_at"] is pd.NaT
    assert company.leads["created_at"].between("1990-01-01", pd.Timestamp.now()).all()


def test_a_date_only_conversion_on_the_day_of_creation_is_in_order(tmp_path):
    path = tmp_path / "leads.csv"  # Salesforce: Created Date has a time, Converted Date only a day
    pd.DataFrame({"Lead ID": ["00Q1", "00Q2", "00Q3"],
                  "Created Date": ["03/01/2025 14:30", "03/02/2025 09:00", "03/05/2025 10:00"],
                  "Converted Date": ["03/01/2025", "03/04/2025", "03/04/2025"]}).to_csv(path, index=False)
    company = load_company(import_files([path], tmp_path / "acme", mapping="salesforce"))
    converted = company.leads.set_index("lead_id")["sql_at"]
    assert converted["00Q1"] == pd.Timestamp("2025-03-01 14:30")  # same day: in order, at the earliest moment
    assert converted["00Q2"] == pd.Timestamp("2025-03-04")
    assert converted["00Q3"] is pd.NaT  # a day before its creation: left empty, with a note
    [before] = _aside(company, "Converted Date")
    assert before["lines"] == [4] and before["kept"]


def test_unknown_stages_are_placed_by_their_words_and_noted(hubspot_files, tmp_path):
    _contacts, deals = _frames(hubspot_files)
    deals.loc[0, "Deal Stage"] = "Closed Won - Renewal"
    deals.loc[1, "Deal Stage"] = "Lost (no budget)"
    deals.loc[2, "Deal Stage"] = "Discovery call"
    deals.to_csv(tmp_path / "deals.csv", index=False)
    company = load_company(import_files([hubspot_files[0], tmp_path / "deals.csv"], tmp_path / "acme"))
    stages = company.opportunities.set_index("opportunity_id")["stage"].astype(str)
    assert stages[deals.loc[[0, 1, 2], "Record ID"]].tolist() == ["closed_won", "closed_lost", "prospecting"]
    note = next(n for n in company.params["import"]["notes"] if "deal stage(s)" in n)
    assert "'Discovery call' (1) → prospecting" in note and "under 'stages:'" in note
    with pytest.raises(DataValidationError, match="deal stage.s. the course does not know"):
        import_files([hubspot_files[0], tmp_path / "deals.csv"], tmp_path / "strict", strict=True)


def test_a_status_column_and_a_stage_column_both_map(hubspot_files, tmp_path):
    """Pipedrive keeps won/lost in Status and the last stage reached in Stage."""
    contacts, deals = _frames(hubspot_files)
    won = deals["Deal Stage"] == "Closed Won"
    lost = deals["Deal Stage"] == "Closed Lost"
    deals["Status"] = ["won" if w else "lost" if lo else "open" for w, lo in zip(won, lost, strict=True)]
    deals["Deal Stage"] = deals["Deal Stage"].where(~(won | lost), "Contract Sent")
    deals.loc[deals.index[-1], "Status"] = "deleted"
    deals.to_csv(tmp_path / "deals.csv", index=False)
    mapping = tmp_path / "pipedrive.yaml"
    mapping.write_text("leads:\n  lead_id: Record ID\n  created_at: Create Date\n  channel: Original Source\n"
                       "deals:\n  opportunity_id: Record ID\n  lead_id: Associated Contact IDs\n"
                       "  created_at: Create Date\n  amount: Amount\n  stage: Deal Stage\n  status: Status\n"
                       "  closed_at: Close Date\n")
    company = load_company(import_files([hubspot_files[0], tmp_path / "deals.csv"], tmp_path / "acme",
                                        mapping=mapping))
    outcome = company.opportunities["outcome"].astype(str)
    assert (outcome == "won").sum() == won[:-1].sum() and (outcome == "lost").sum() == lost[:-1].sum()
    assert len(company.opportunities) == len(deals) - 1  # the deleted deal is set aside
    assert _aside(company, "Status")[0]["lines"] == [len(deals) + 1]


def test_strict_is_a_command_line_switch(hubspot_files, tmp_path, capsys):
    contacts, _deals = _frames(hubspot_files)
    contacts.loc[2, "Create Date"] = "someday"
    contacts.to_csv(tmp_path / "contacts.csv", index=False)
    files = [str(tmp_path / "contacts.csv"), str(hubspot_files[1])]
    assert main(["workshop", "import", *files, "--out", str(tmp_path / "strict"), "--strict"]) == 1
    assert "line(s) 4: a date that cannot be read, such as 'someday'" in capsys.readouterr().err
    assert not (tmp_path / "strict").exists()
    assert main(["workshop", "import", *files, "--out", str(tmp_path / "lenient")]) == 0
    assert "set aside 1 row(s)" in capsys.readouterr().out


def test_a_mapping_file_of_endless_aliases_fails_fast(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 40)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nleads:\n  lead_id: *a39\n")
    started = time.process_time()
    with pytest.raises(DataValidationError) as refused:
        load_mapping(path)
    assert f"more than {MAX_ALIASES} YAML aliases" in str(refused.value)
    assert time.process_time() - started < 5  # expanding 10^40 values would never end
    assert len(str(refused.value)) < 1000


def test_a_mapping_file_that_is_really_an_export_is_refused_by_its_size(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text("leads:\n  lead_id: " + "x" * 2_000_000 + "\n")
    with pytest.raises(DataValidationError, match="a mapping is a page of text"):
        load_mapping(path)


def test_a_long_wrong_value_is_cut_short_in_the_message(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text("leads:\n  lead_id: [" + "1, " * 5000 + "1]\n  " + "y" * 1000 + ": Record ID\n")
    with pytest.raises(DataValidationError) as refused:
        load_mapping(path)
    message = str(refused.value)
    assert "should be a column name" in message and "is not a course field" in message and len(message) < 1500
    path.write_text("leads:\n  lead_id: " + "9" * 5000 + "\n")  # a number too long for Python to read
    with pytest.raises(DataValidationError, match="not a readable YAML mapping"):
        load_mapping(path)


def test_a_deals_only_export_imports_its_pipeline(hubspot_files, tmp_path, capsys):
    """Many companies export only their pipeline: it still gives win rates, deal sizes and cycle times."""
    _contacts, deals = _frames(hubspot_files)
    assert main(["workshop", "import", str(hubspot_files[1]), "--out", str(tmp_path / "acme")]) == 0
    assert f"0 leads and {len(deals)} deals imported" in capsys.readouterr().out
    company = load_company(tmp_path / "acme")
    assert len(company.leads) == 0 and len(company.opportunities) == len(deals)
    assert company.opportunities["lead_id"].isna().all()
    assert {"leads", "campaigns"} <= set(company.params["import"]["missing"])
    from smarketing.datasets import availability

    assert not availability.has(company, "leads") and availability.has(company, "opportunities")
    assert availability.has(company, "opportunities.closed_at")
    assert (company.accounts["segment"].astype(str) == "smb").all()
    assert "accounts.segment" in company.params["import"]["unmeasured"]
