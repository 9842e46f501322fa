"""`smarketing workshop mapping --init`: a mapping file drafted from an export's own columns and values, which
imports as it is when the guesses are right, and marks what a facilitator must check or fill in."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from smarketing import load_company
from smarketing.cli import main
from smarketing.datasets import DataValidationError
from smarketing.datasets.crm import import_files
from smarketing.datasets.crm.draft import draft_mapping
from tests.datasets.crm.exports import salesforce

# Column names of another CRM, which no built-in mapping reads whole.
LEADS = {"Lead ID": "Person ID", "Created Date": "Creation Time", "Lead Owner": "Lead Owner",
         "Converted Opportunity ID": "Converted Deal Id"}
DEALS = {"Opportunity ID": "Deal ID", "Close Date": "Closing Date", "Created Date": "Creation Time",
         "Opportunity Owner": "Deal Owner", "Opportunity Name": "Deal Name"}


@pytest.fixture(scope="module")
def other_crm(tmp_path_factory, companies):
    folder = tmp_path_factory.mktemp("other-crm")
    leads, deals = salesforce(companies["lumen"], folder / "sf", leads=120, chinese_excel=False)
    frame = pd.read_csv(leads, dtype=str, keep_default_na=False).rename(columns=LEADS)
    frame.loc[:4, "Lead Source"] = ["Banner Ads", "Banner Ads", "Advertisment", "Cold Call", "Billboard"]
    frame.to_csv(folder / "Leads.csv", index=False)
    pd.read_csv(deals, dtype=str, keep_default_na=False).rename(columns=DEALS).to_csv(folder / "Deals.csv",
                                                                                      index=False)
    return [folder / "Leads.csv", folder / "Deals.csv"]


def test_the_draft_imports_as_it_is_and_marks_its_guesses(other_crm, tmp_path):
    text, needed = draft_mapping(other_crm)
    assert needed == []
    loaded = yaml.safe_load(text)
    assert loaded["leads"]["lead_id"] == "Person ID" and loaded["deals"]["closed_at"] == "Closing Date"
    assert loaded["leads"]["opportunity_ref"] == "Converted Deal Id"
    assert loaded["channels"]["Banner Ads"] == "other" and loaded["channels"]["Web"] == "content"
    assert "'Banner Ads'" not in text and '"Banner Ads": other  # 2 row(s); not known: check this' in text
    assert '# not read (the course never uses them): "Company"' in text
    assert "  # loss_reason:  # optional, not found" in text
    (tmp_path / "my-crm.yaml").write_text(text)
    company = load_company(import_files(other_crm, tmp_path / "acme", mapping=tmp_path / "my-crm.yaml"))
    assert len(company.leads) == 120 and len(company.opportunities) > 0
    assert (company.leads["channel"].astype(str) == "other").sum() == 5  # Banner Ads ×2, the misspelling, Cold Call, Billboard


def test_a_needed_field_not_found_is_named(other_crm, tmp_path):
    frame = pd.read_csv(other_crm[0], dtype=str, keep_default_na=False).rename(columns={"Creation Time": "Datum"})
    frame.to_csv(tmp_path / "Leads.csv", index=False)
    text, needed = draft_mapping([tmp_path / "Leads.csv"])
    assert needed == ["leads.created_at"] and "  # created_at:  # needed" in text
    assert "# deals: none of the files looks like a deals export" in text


def test_the_command_writes_the_draft_and_never_overwrites(other_crm, tmp_path, capsys):
    out = tmp_path / "zoho.yaml"
    assert main(["workshop", "mapping", "--init", *map(str, other_crm), "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out and out.read_text().startswith("# A mapping")
    out.write_text("mine")
    assert main(["workshop", "mapping", "--init", *map(str, other_crm), "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_text() == "mine"


def test_a_refusal_a_mapping_can_fix_ends_with_the_command(other_crm, tmp_path):
    with pytest.raises(DataValidationError) as refused:
        import_files(other_crm, tmp_path / "acme")
    message = str(refused.value)
    assert f"smarketing workshop mapping --init {other_crm[0]} {other_crm[1]}" in message
