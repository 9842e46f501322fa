"""Workshop mode: a company's own HubSpot or Salesforce export imported, validated, and refused when bad
(with every problem, its lines and a fix, and nothing written)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.datasets.crm.exports import OWNERS, hubspot, salesforce
from smarketing import load_company
from smarketing.cli import main
from smarketing.datasets import DataValidationError, availability
from smarketing.datasets.crm import import_files


@pytest.fixture(scope="module")
def hubspot_files(tmp_path_factory, companies):
    return hubspot(companies["lumen"], tmp_path_factory.mktemp("hubspot"))


def test_hubspot_export_becomes_a_company(hubspot_files, tmp_path, companies):
    folder = import_files(hubspot_files, tmp_path / "acme")
    acme = load_company(folder)
    source = companies["lumen"].leads.iloc[:400]
    assert acme.name == "acme" and len(acme.leads) == 400
    assert acme.leads["created_at"].tolist() == source["created_at"].tolist()  # US dates with AM/PM read right
    assert (acme.leads["mql_at"].notna() == source["mql_at"].notna()).all()
    assert acme.leads["channel"].astype(str).isin(["content", "paid_search", "email", "paid_social", "partner",
                                                   "events", "referral"]).all()
    deals = companies["lumen"].opportunities
    deals = deals[deals["lead_id"].isin(source["lead_id"])]
    assert len(acme.opportunities) == len(deals)
    assert acme.opportunities["amount"].sum() == pytest.approx(deals["amount"].sum())  # "$12,300.00" parsed
    assert (acme.opportunities["outcome"].astype(str).value_counts().to_dict()
            == deals["outcome"].astype(str).value_counts().to_dict())
    assert len(acme.accounts) == (deals["outcome"] == "won").sum()
    info = acme.params["import"]
    assert "touchpoints" in info["missing"] and "support_tickets" in info["missing"]
    assert any(a.startswith("campaigns.spend") for a in info["approximated"])
    assert not availability.has(acme, "touchpoints") and availability.has(acme, "leads")
    assert "Not in the export, so not analysed here: touchpoints" in availability.describe(acme)


def test_salesforce_gbk_csv_and_excel_become_a_company(tmp_path, companies):
    files = salesforce(companies["ferro"], tmp_path / "export", leads=300, chinese_excel=True)
    assert files[1].suffix == ".xlsx"
    with pytest.raises(UnicodeDecodeError):
        files[0].read_bytes().decode("utf-8")  # really GBK, as a Chinese Excel saves it
    folder = import_files(files, tmp_path / "ferro-cn", mapping="salesforce", keep_names=True)
    imported = load_company(folder)
    assert set(imported.employees["name"]) <= {"王伟", "李娜", "张敏", "刘洋"}
    deals = companies["ferro"].opportunities
    assert len(imported.opportunities) == deals["lead_id"].isin(companies["ferro"].leads["lead_id"].iloc[:300]).sum()
    # every deal found its lead through the lead's "Converted Opportunity ID"
    assert imported.opportunities["lead_id"].isin(imported.leads["lead_id"]).all()
    assert imported.leads["score"].isin([20, 55, 85]).all()  # Hot / Warm / Cold


def test_european_dates_and_auto_mapping(tmp_path, companies):
    files = salesforce(companies["bloom"], tmp_path / "export", leads=200, chinese_excel=False)
    imported = load_company(import_files(files, tmp_path / "bloom-eu"))  # --mapping auto
    assert imported.params["import"]["mapping"] == "salesforce"
    assert imported.leads["created_at"].tolist() == companies["bloom"].leads["created_at"].iloc[:200].tolist()


# ---- bad files: each refused with its clear message, nothing written -----------------------------------

def _contacts(hubspot_files) -> pd.DataFrame:
    return pd.read_csv(hubspot_files[0], dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, path) -> None:
    frame.to_csv(path, index=False)


def bad_encoding(files, folder):
    path = folder / "contacts.csv"  # 0x81 then a space: not UTF-8, not GBK, not Windows-1252
    path.write_bytes(files[0].read_bytes().replace(b"Ana Silva", b"Ana \x81 Silva"))
    return [path, files[1]], "the encoding of this file cannot be determined"


def missing_column(files, folder):
    _write(_contacts(files).drop(columns=["Create Date"]), folder / "contacts.csv")
    return [folder / "contacts.csv", files[1]], "required column missing: none of 'Create Date'"


def bad_dates(files, folder):
    frame = _contacts(files)
    frame.loc[[3, 10], "Create Date"] = ["next Tuesday", "2025-13-45"]
    _write(frame, folder / "contacts.csv")
    return [folder / "contacts.csv", files[1]], ("contacts.csv", "Create Date", [5, 12], "a date that cannot be read")


def negative_amounts(files, folder):
    deals = pd.read_csv(files[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    deals.loc[2, "Amount"] = "($1,500.00)"
    deals.loc[7, "Amount"] = "-250"
    _write(deals, folder / "deals.csv")
    return [files[0], folder / "deals.csv"], ("deals.csv", "Amount", [4, 9], "a negative amount")


def duplicate_ids(files, folder):
    frame = _contacts(files)
    frame.loc[6, "Record ID"] = frame.loc[5, "Record ID"]
    _write(frame, folder / "contacts.csv")
    return [folder / "contacts.csv", files[1]], ("contacts.csv", "Record ID", [8], "an ID that an earlier row already has")


def empty_file(files, folder):
    (folder / "contacts.csv").write_text("")
    return [folder / "contacts.csv", files[1]], "the file is empty"


def not_csv(files, folder):
    (folder / "contacts.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    return [folder / "contacts.csv", files[1]], "not a CSV or Excel file"


def not_a_workbook(files, folder):
    (folder / "contacts.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    return [folder / "contacts.xlsx", files[1]], "cannot be read as an Excel workbook"


@pytest.mark.parametrize("spoil", [bad_encoding, missing_column, empty_file, not_csv, not_a_workbook])
def test_bad_files_are_refused_with_their_problem(spoil, hubspot_files, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    files, message = spoil(hubspot_files, folder)
    with pytest.raises(DataValidationError) as refused:
        import_files(files, tmp_path / "acme", mapping="hubspot")
    assert message in str(refused.value)
    assert "Nothing was loaded or changed" in str(refused.value)
    assert not (tmp_path / "acme").exists()


@pytest.mark.parametrize("spoil", [bad_dates, negative_amounts, duplicate_ids])
def test_rows_that_cannot_be_used_are_set_aside_with_their_lines_or_refused_when_strict(spoil, hubspot_files,
                                                                                       tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    files, (file, column, lines, reason) = spoil(hubspot_files, folder)
    imported = load_company(import_files(files, tmp_path / "acme", mapping="hubspot"))
    aside = imported.params["import"]["set_aside"]
    assert [(a["file"], a["column"], a["lines"]) for a in aside] == [(file, column, lines)]
    assert reason in aside[0]["reason"]
    table = imported.opportunities if file == "deals.csv" else imported.leads
    original = pd.read_csv(files[0 if file == "contacts.csv" else 1], dtype=str, keep_default_na=False)
    assert len(table) == len(original) - len(lines)
    note = next(n for n in imported.params["import"]["notes"] if n.startswith(file))
    assert f"set aside {len(lines)} row(s)" in note and ", ".join(map(str, lines)) in note
    with pytest.raises(DataValidationError) as refused:
        import_files(files, tmp_path / "strict", mapping="hubspot", strict=True)
    assert f"column '{column}', line(s) {', '.join(map(str, lines))}: {reason}" in str(refused.value)
    assert not (tmp_path / "strict").exists()


def test_more_than_half_the_rows_unusable_refuses_the_file(hubspot_files, tmp_path):
    frame = _contacts(hubspot_files)
    frame.loc[: len(frame) // 2 + 5, "Create Date"] = "soon"
    _write(frame, tmp_path / "contacts.csv")
    with pytest.raises(DataValidationError) as refused:
        import_files([tmp_path / "contacts.csv", hubspot_files[1]], tmp_path / "acme")
    assert "cannot be used" in str(refused.value) and "more than half" in str(refused.value)
    assert not (tmp_path / "acme").exists()


def test_every_problem_is_listed_at_once_when_strict(hubspot_files, tmp_path):
    frame = _contacts(hubspot_files)
    frame.loc[3, "Create Date"] = "never"
    frame.loc[6, "Record ID"] = frame.loc[5, "Record ID"]
    frame.loc[8, "Original Source"] = "Carrier pigeon"
    _write(frame, tmp_path / "contacts.csv")
    with pytest.raises(DataValidationError) as refused:
        import_files([tmp_path / "contacts.csv", hubspot_files[1]], tmp_path / "acme", strict=True)
    assert len(refused.value.problems) == 3
    assert "lead source(s) the course does not know: 'Carrier pigeon' (1)" in str(refused.value)
    imported = load_company(import_files([tmp_path / "contacts.csv", hubspot_files[1]], tmp_path / "lenient"))
    assert imported.leads["channel"].astype(str).tolist().count("other") == 1
    assert any("'Carrier pigeon' (1) → other" in n for n in imported.params["import"]["notes"])
    assert len(imported.params["import"]["set_aside"]) == 2


def test_an_existing_folder_is_kept_and_force_only_replaces_an_import(hubspot_files, tmp_path, capsys):
    target = tmp_path / "acme"
    target.mkdir()
    (target / "notes.md").write_text("the facilitator's notes")
    assert main(["workshop", "import", *map(str, hubspot_files), "--out", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["workshop", "import", *map(str, hubspot_files), "--out", str(target), "--force"]) == 1
    assert "only replaces a folder written by an earlier `smarketing workshop import`" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["acme"] and [p.name for p in target.iterdir()] == ["notes.md"]
    assert (target / "notes.md").read_text() == "the facilitator's notes"
    imported = tmp_path / "imported"
    assert main(["workshop", "import", *map(str, hubspot_files), "--out", str(imported)]) == 0
    assert main(["workshop", "import", *map(str, hubspot_files), "--out", str(imported), "--force"]) == 0
    assert "400 leads" in capsys.readouterr().out and (imported / "leads.csv").exists()


def test_a_yaml_mapping_for_another_crm(tmp_path, hubspot_files):
    frame = _contacts(hubspot_files).rename(columns={"Record ID": "Kontakt-ID", "Create Date": "Erstellt am",
                                                     "Original Source": "Quelle"})
    frame["Quelle"] = frame["Quelle"].replace({"Organic Search": "Suchmaschine"})
    _write(frame, tmp_path / "kontakte.csv")
    mapping = tmp_path / "my-crm.yaml"
    mapping.write_text("leads:\n  lead_id: Kontakt-ID\n  created_at: Erstellt am\n  channel: Quelle\n"
                       "  mql_at: Became a Marketing Qualified Lead Date\n"
                       "channels:\n  Suchmaschine: content\n  Paid Search: paid_search\n  Email Marketing: email\n"
                       "  Paid Social: paid_social\n  Other Campaigns: partner\n  Offline Sources: events\n"
                       "  Referrals: referral\n")
    imported = load_company(import_files([tmp_path / "kontakte.csv"], tmp_path / "de", mapping=mapping))
    assert len(imported.leads) == 400 and len(imported.opportunities) == 0
    assert "opportunities" in imported.params["import"]["missing"]


def test_owners_names_become_stable_pseudonyms_unless_kept(hubspot_files, tmp_path):
    first = load_company(import_files(hubspot_files, tmp_path / "a"))
    again = load_company(import_files(hubspot_files, tmp_path / "b"))
    names = set(first.employees["name"])
    assert names == set(again.employees["name"]) and len(names) == 4
    assert all(re.fullmatch(r"Rep [0-9A-F]{6}", n) for n in names)
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "a").iterdir() if p.is_file())
    assert not any(owner in written for owner in OWNERS)  # nor any contact's e-mail address
    assert "@example.com" not in written
    assert any("replaced by pseudonyms" in n for n in first.params["import"]["notes"])
    kept = load_company(import_files(hubspot_files, tmp_path / "c", keep_names=True))
    assert set(kept.employees["name"]) == set(OWNERS)
