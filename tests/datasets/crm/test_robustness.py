"""`smarketing workshop import` on the exports and mistakes of real workshops: --force that never deletes the
wrong folder, relative company paths, European encodings, amounts and dates, mapping files, report footers and
title rows, line numbers, and the advice each refusal gives."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import ROOT
from tests.datasets.crm.exports import european, formatted_excel, hubspot, salesforce, with_footer
from smarketing import load_company
from smarketing.cli import main
from smarketing.datasets import DataValidationError, store
from smarketing.datasets.crm import build, import_files
from smarketing.datasets.crm.mapping_file import load_mapping
from smarketing.datasets.crm.read import read_export


@pytest.fixture(scope="module")
def hubspot_files(tmp_path_factory, companies):
    return hubspot(companies["lumen"], tmp_path_factory.mktemp("hubspot"), leads=150)


def _import(files, out, *options):
    return main(["workshop", "import", *map(str, files), "--out", str(out), *options])


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _contacts(files) -> pd.DataFrame:
    return pd.read_csv(files[0], dtype=str, keep_default_na=False)


def _refused(files, out=None, **options) -> str:
    out = out or Path(tempfile.mkdtemp()) / "never"  # should the import wrongly succeed, never in the checkout
    with pytest.raises(DataValidationError) as refused:
        import_files(files, out, **options)
    return str(refused.value)


# ---- 1. --force replaces only an earlier import, atomically ---------------------------------------------

def test_force_never_deletes_the_current_folder(hubspot_files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thesis.docx").write_text("a year of work")
    for out in (".", str(tmp_path.parent)):
        assert _import(hubspot_files, out, "--force") == 1
        assert "it is the current folder or holds it" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.docx"]


@pytest.fixture
def course_data(tmp_path, monkeypatch):
    """A datasets root with a course company, standing in for the repository's (never touched here)."""
    root = tmp_path / "datasets"
    shutil.copytree(ROOT / "datasets" / "lumen", root / "lumen")
    monkeypatch.setenv("SMARKETING_DATA", str(root))
    return root


def test_force_never_replaces_the_datasets_or_a_course_company(hubspot_files, course_data, capsys):
    before = _snapshot(course_data)
    assert _import(hubspot_files, course_data, "--force") == 1
    assert "it holds the course datasets" in capsys.readouterr().err
    assert _import(hubspot_files, course_data / "lumen", "--force") == 1
    assert "lumen is a course company; an import never replaces it" in capsys.readouterr().err
    assert _snapshot(course_data) == before


def test_force_never_replaces_the_folder_of_an_input_file(hubspot_files, tmp_path, capsys):
    acme = tmp_path / "acme"
    assert _import(hubspot_files, acme) == 0
    inside = [shutil.copy(f, acme) for f in hubspot_files]  # the export kept beside the import
    before = _snapshot(acme)
    assert _import(inside, acme, "--force") == 1
    assert "one of the files to import" in capsys.readouterr().err
    assert _snapshot(acme) == before


def test_force_replaces_an_import_and_a_failed_one_changes_nothing(hubspot_files, tmp_path, monkeypatch):
    acme = tmp_path / "acme"
    import_files(hubspot_files, acme)
    assert json.loads((acme / "company.json").read_text())["import"]["mapping"] == "hubspot"
    before = _snapshot(acme)
    bad = tmp_path / "bad.csv"
    bad.write_text("Record ID,Create Date\n1,never\n")
    with pytest.raises(DataValidationError):
        import_files([bad], acme, force=True)
    assert _snapshot(acme) == before

    def fail_half_way(table, text):  # the disk fills up while the files are being written
        if table.name == "accounts":
            raise OSError("disk full")
        return neutralise(table, text)

    neutralise = store.neutralise_formulas
    monkeypatch.setattr(store, "neutralise_formulas", fail_half_way)
    with pytest.raises(OSError, match="disk full"):
        import_files(hubspot_files, acme, force=True, name="renamed")
    assert _snapshot(acme) == before
    assert [p.name for p in tmp_path.iterdir()] == ["acme", "bad.csv"]  # no half-written folder left beside it
    monkeypatch.setattr(store, "neutralise_formulas", neutralise)
    import_files(hubspot_files, acme, force=True, name="renamed")
    assert load_company(acme).name == "renamed"


def test_an_output_folder_that_cannot_be_created_is_explained(hubspot_files, tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    assert _import(hubspot_files, tmp_path / "afile" / "sub") == 1
    assert "afile/sub cannot be created: " in capsys.readouterr().err
    assert _import(hubspot_files, "/proc/acme") == 1
    err = capsys.readouterr().err
    assert "/proc/acme cannot be created" in err and "Traceback" not in err and "[Errno" not in err
    assert (tmp_path / "afile").read_text() == ""


def _manifest(folder):
    return json.loads((folder / store.WRITTEN).read_text())


def test_force_never_deletes_the_facilitators_files_in_an_import_folder(hubspot_files, tmp_path, capsys):
    acme = tmp_path / "acme"
    assert _import(hubspot_files, acme) == 0
    recorded = _manifest(acme)
    assert recorded["by"] == "smarketing workshop import"
    assert set(recorded["files"]) == store.COMPANY_FILES  # exactly what it wrote, the manifest aside
    assert all(recorded["files"][p.name] == hashlib.sha256(p.read_bytes()).hexdigest()
               for p in acme.iterdir() if p.name != store.WRITTEN)
    (acme / "notes.txt").write_text("what the sales team said")
    (acme / "results").mkdir()
    (acme / "results" / "02_kpis.html").write_text("last quarter's results")
    before = _snapshot(acme)
    capsys.readouterr()
    assert _import(hubspot_files, acme, "--force", "--name", "renamed") == 1
    err = capsys.readouterr().err
    assert ("holds 2 file(s) that `smarketing workshop import` did not write (notes.txt, results/), and --force "
            "only replaces what it wrote") in err
    assert "move them out of" in err and "Traceback" not in err
    assert _snapshot(acme) == before and load_company(acme).name == "acme"  # the earlier import is whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme"]  # no staging folder left beside it


def test_force_replaces_an_import_holding_only_its_own_files_even_changed(hubspot_files, tmp_path):
    acme = tmp_path / "acme"
    import_files(hubspot_files, acme)
    (acme / "leads.csv").write_text("edited by hand\n")  # a written file changed: still the import's own
    import_files(hubspot_files, acme, force=True, name="renamed")
    assert load_company(acme).name == "renamed" and len(load_company(acme).leads) == 150
    assert sorted(p.name for p in acme.iterdir()) == sorted([*store.COMPANY_FILES, store.WRITTEN])
    assert _manifest(acme)["files"]["leads.csv"] == hashlib.sha256((acme / "leads.csv").read_bytes()).hexdigest()


def test_an_import_written_before_manifests_keeps_its_other_files(hubspot_files, tmp_path):
    acme = tmp_path / "acme"
    import_files(hubspot_files, acme)
    (acme / store.WRITTEN).unlink()  # as every import wrote its folder before manifests were kept
    for name in ("README.md", "a.txt", "b.txt", "c.txt", "d.txt", "e.txt"):
        (acme / name).write_text("mine")
    before = _snapshot(acme)
    with pytest.raises(FileExistsError, match=r"holds 6 file\(s\) .* \(README.md, a.txt, b.txt, c.txt, d.txt and "
                                              r"1 more\)"):
        import_files(hubspot_files, acme, force=True)
    assert _snapshot(acme) == before
    for name in ("README.md", "a.txt", "b.txt", "c.txt", "d.txt", "e.txt"):
        (acme / name).unlink()
    import_files(hubspot_files, acme, force=True, name="renamed")  # the company's own files only: replaced
    assert load_company(acme).name == "renamed" and set(_manifest(acme)["files"]) == store.COMPANY_FILES


def test_a_file_that_appears_during_an_import_is_carried_over_not_deleted(hubspot_files, tmp_path, monkeypatch):
    acme = tmp_path / "acme"
    import_files(hubspot_files, acme)
    neutralise = store.neutralise_formulas

    def note_meanwhile(table, text):  # the facilitator saves a note while the import is writing
        (acme / "notes.txt").write_text("saved while importing")
        return neutralise(table, text)

    monkeypatch.setattr(store, "neutralise_formulas", note_meanwhile)
    import_files(hubspot_files, acme, force=True, name="renamed")
    assert (acme / "notes.txt").read_text() == "saved while importing" and load_company(acme).name == "renamed"
    assert "notes.txt" not in _manifest(acme)["files"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme"]


def test_an_out_that_is_a_file_is_named_as_one(hubspot_files, tmp_path, capsys):
    out = tmp_path / "acme.csv"
    out.write_text("a file the facilitator keeps")
    for force in ((), ("--force",)):
        assert _import(hubspot_files, out, *force) == 1
        err = capsys.readouterr().err
        assert f"{out} is a file, not a folder; nothing was written. Choose a folder, such as datasets/acme." in err
        assert "not empty" not in err
    assert out.read_text() == "a file the facilitator keeps"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme.csv"]


# ---- 2. relative company paths from the notebooks' and the Voilà app's folders -----------------------

def test_relative_company_paths_work_from_a_subfolder(hubspot_files, course_data, tmp_path, monkeypatch):
    import_files(hubspot_files, course_data / "acme")
    (tmp_path / "workshop").mkdir()
    monkeypatch.chdir(tmp_path / "workshop")  # as Voilà runs the app; `make lab` runs kernels in course/
    assert len(load_company("datasets/acme").leads) == 150  # against the repository root
    assert load_company("acme").folder == course_data / "acme"  # against the datasets folder
    with pytest.raises(DataValidationError, match="looked in datasets/nobody, .*datasets/nobody"):
        load_company("datasets/nobody")


def test_the_course_companies_load_from_course_folder(monkeypatch):
    monkeypatch.chdir(ROOT / "course")
    assert load_company("datasets/ferro").name == "ferro" and load_company("bloom").name == "bloom"


# ---- 3. encodings ------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_european_excel_csv_is_decoded_right(encoding, companies, tmp_path):
    files = european(companies["bloom"], tmp_path / "export", encoding=encoding)
    with pytest.raises(UnicodeDecodeError):
        files[0].read_bytes().decode("utf-8")
    imported = load_company(import_files(files, tmp_path / "eu", keep_names=True))
    assert set(imported.employees["name"]) == {"Jürgen Müller", "Sören Åkesson", "François Lefèvre", "Zoë Ødegård"}
    deals = companies["bloom"].opportunities
    deals = deals[deals["lead_id"].isin(companies["bloom"].leads["lead_id"].iloc[:200])]
    assert imported.opportunities["amount"].sum() == pytest.approx(deals["amount"].sum())  # "12.500,00 €"
    assert imported.leads["created_at"].tolist() == companies["bloom"].leads["created_at"].iloc[:200].tolist()


def test_latin1_owner_is_not_read_as_chinese(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes("Lead ID,Created Date,Lead Owner\n00Q1,2025-03-01,Jürgen Müller\n00Q2,2025-03-02,"
                     "Sören Åkesson\n".encode("latin-1"))
    export, problems = read_export(path)
    assert not problems and export.frame["Lead Owner"].tolist() == ["Jürgen Müller", "Sören Åkesson"]


def test_gbk_and_utf16_still_read(tmp_path):
    gbk, utf16 = tmp_path / "gbk.csv", tmp_path / "utf16.txt"
    gbk.write_bytes("Lead ID,Lead Owner,Company\n1,王伟,公司 L0001\n".encode("gbk"))
    utf16.write_bytes("Lead ID\tLead Owner\n1\tJürgen\n".encode("utf-16"))  # Excel's "Unicode Text"
    assert read_export(gbk)[0].frame["Lead Owner"].tolist() == ["王伟"]
    assert read_export(utf16)[0].frame["Lead Owner"].tolist() == ["Jürgen"]


def test_an_undeterminable_encoding_is_refused_with_the_encodings_tried(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(b"Lead ID,Lead Owner\n1,\xa1\xa1\n")  # GBK's ideographic space or cp1252's "¡¡": no evidence
    message = _refused([path])
    assert "cannot be determined" in message and "GBK/GB18030" in message and "Windows-1252/Latin-1" in message
    assert "CSV UTF-8" in message


# ---- 4. amounts: row numbers of what is not a plain amount -------------------------------------------

def test_amounts_that_are_not_plain_numbers_are_reported_with_their_lines(hubspot_files, tmp_path):
    deals = pd.read_csv(hubspot_files[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    deals.loc[[1, 4], "Amount"] = ["1e3", "2,5 Mio €"]
    deals.to_csv(tmp_path / "deals.csv", index=False)
    message = _refused([hubspot_files[0], tmp_path / "deals.csv"], tmp_path / "acme", strict=True)
    assert "column 'Amount', line(s) 3, 6: an amount that cannot be read as money, such as '1e3'" in message
    assert not (tmp_path / "acme").exists()
    imported = load_company(import_files([hubspot_files[0], tmp_path / "deals.csv"], tmp_path / "acme"))
    assert [(a["column"], a["lines"]) for a in imported.params["import"]["set_aside"]] == [("Amount", [3, 6])]
    assert len(imported.opportunities) == len(deals) - 2


# ---- 5. dates: day/month order per file, told when assumed --------------------------------------------

def _dated_leads(tmp_path, created, mql):
    path = tmp_path / "leads.csv"
    pd.DataFrame({"Lead ID": [f"00Q{i}" for i in range(len(created))], "Created Date": created,
                  "MQL Date": mql}).to_csv(path, index=False)
    return path


def test_one_day_first_column_decides_for_the_whole_file(tmp_path):
    path = _dated_leads(tmp_path, ["13/01/2025", "14/01/2025"], ["05/02/2025", "06/02/2025"])
    leads = load_company(import_files([path], tmp_path / "acme", mapping="salesforce")).leads
    assert leads["mql_at"].dt.strftime("%Y-%m-%d").tolist() == ["2025-02-05", "2025-02-06"]
    assert leads["created_at"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-13", "2025-01-14"]


def test_ambiguous_dates_are_read_month_first_with_a_note_and_dayfirst_changes_it(tmp_path, capsys):
    path = _dated_leads(tmp_path, ["01/02/2025", "03/04/2025"], ["01/03/2025", ""])
    assert _import([path], tmp_path / "us", "--mapping", "salesforce") == 0
    out = capsys.readouterr().out
    assert ("Note: leads.csv: no date shows whether the day or the month comes first: '01/02/2025' is 02 January "
            "2025 read month-first (as HubSpot and Salesforce write dates in the US) and 01 February 2025 read "
            "day-first. They were read month-first; if that is wrong, import again with --dayfirst.") in out
    assert load_company(tmp_path / "us").leads["created_at"].iloc[0] == pd.Timestamp("2025-01-02")
    assert _import([path], tmp_path / "eu", "--mapping", "salesforce", "--dayfirst") == 0
    assert "Note:" not in capsys.readouterr().out
    assert load_company(tmp_path / "eu").leads["created_at"].iloc[0] == pd.Timestamp("2025-02-01")


def test_a_file_mixing_day_first_and_month_first_is_refused(tmp_path):
    path = _dated_leads(tmp_path, ["13/01/2025", "14/01/2025"], ["01/13/2025", ""])
    message = _refused([path], tmp_path / "acme", mapping="salesforce")
    assert ("leads.csv, line(s) 2, 2: this file mixes day-first dates ('13/01/2025' in 'Created Date') and "
            "month-first dates ('01/13/2025' in 'MQL Date')") in message
    message = _refused([path], tmp_path / "acme", mapping="salesforce", dayfirst=True, strict=True)
    assert "column 'MQL Date', line(s) 2: a date that cannot be read, such as '01/13/2025'" in message


# ---- 6. mapping files ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("leads:\n  lead_id: [Kontakt-ID\n", "my-crm.yaml, line(s) 3: this is not a readable YAML mapping"),
    ("leads:\n  lead_id: 5\n  created_at: Erstellt am\n",
     "my-crm.yaml, line(s) 2: 'leads.lead_id' should be a column name or a list of column names, not 5"),
    ("leads:\n  lead_id: Kontakt-ID\nchannels: [a, b]\n",
     "my-crm.yaml, line(s) 3: 'channels' should map your values to the course's, one per line"),
    ("leads:\n  lead_id: Kontakt-ID\nchannels:\n  Messe: fairs\n",
     "line(s) 4: 'channels.Messe' is 'fairs', which the course does not know. Use one of: paid_search"),
    ("lead:\n  lead_id: Kontakt-ID\n", "a mapping file needs a 'leads' and/or a 'deals' section"),
    ("leads:\n  leadid: Kontakt-ID\nstage:\n  Won: closed_won\n",
     "line(s) 2: 'leads.leadid' is not a course field. The leads fields are: channel, created_at"),
])
def test_mapping_file_mistakes_are_reported_clearly(text, expected, hubspot_files, tmp_path, capsys):
    mapping = tmp_path / "my-crm.yaml"
    mapping.write_text(text)
    assert _import(hubspot_files, tmp_path / "acme", "--mapping", str(mapping)) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not (tmp_path / "acme").exists()


def test_unknown_mapping_keys_are_each_listed(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("leads:\n  lead_id: ID\nstage:\n  Won: closed_won\n")
    with pytest.raises(DataValidationError, match=r"m.yaml, line\(s\) 3: unknown key 'stage'. A mapping file has"):
        load_mapping(mapping)


# ---- 7. report footers and title rows -----------------------------------------------------------------

def test_a_salesforce_footer_is_dropped_with_a_note(companies, tmp_path, capsys):
    files = salesforce(companies["lumen"], tmp_path / "export", leads=120, chinese_excel=False)
    for path in files:
        with_footer(path)
    assert _import(files, tmp_path / "acme") == 0
    out = capsys.readouterr().out
    assert "120 leads" in out
    assert ("Note: salesforce-leads.csv: dropped the report footer (line(s) 123, 125, 126: Total; Confidential "
            "Information - Do Not Distribute; Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.)") in out


def test_title_rows_of_a_formatted_excel_report_are_skipped(companies, tmp_path, capsys):
    leads, opportunities = salesforce(companies["lumen"], tmp_path / "export", leads=120, chinese_excel=False)
    workbook = formatted_excel(opportunities, tmp_path / "export" / "opportunities.xlsx")
    assert _import([leads, workbook], tmp_path / "acme") == 0
    out = capsys.readouterr().out
    assert "Note: opportunities.xlsx: skipped the report title above the column names (line(s) 1–3)." in out
    deals = companies["lumen"].opportunities
    assert len(load_company(tmp_path / "acme").opportunities) == deals["lead_id"].isin(
        companies["lumen"].leads["lead_id"].iloc[:120]).sum()


def test_a_header_below_the_first_rows_gets_a_hint(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("".join(f"Report line {i}\n" for i in range(45)) + "Lead ID,Created Date\n1,2025-03-01\n")
    assert "the header row with the column names was not found in the first 40 rows: delete the title rows" in (
        _refused([path]))


# ---- 8. line numbers are the file's own -----------------------------------------------------------------

def test_problems_name_the_physical_line_despite_blank_lines(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text('Lead ID,Created Date,Lead Source\n00Q1,2025-03-01,Web\n\n00Q2,2025-03-02,"Web"\n'
                    "00Q3,never,Web\n\n00Q4,2025-03-04,Carrier pigeon\n")
    message = _refused([path], mapping="salesforce", strict=True)
    assert "column 'Created Date', line(s) 5: a date that cannot be read, such as 'never'" in message
    assert "column 'Lead Source', line(s) 7: lead source(s) the course does not know: 'Carrier pigeon' (1)" in message


# ---- 9. linking Salesforce deals to their leads -----------------------------------------------------

def test_unlinked_salesforce_opportunities_are_told_to_add_converted_opportunity_id(companies, tmp_path):
    leads, opportunities = salesforce(companies["lumen"], tmp_path / "export", leads=50, chinese_excel=False)
    frame = pd.read_csv(leads, dtype=str, keep_default_na=False).drop(columns=["Converted Opportunity ID"])
    frame.to_csv(leads, index=False)
    message = _refused([leads, opportunities], mapping="salesforce", strict=True)
    assert ("salesforce-opportunities.csv: the deals cannot be linked to their leads: add the column 'Converted "
            "Opportunity ID' to the leads export (salesforce-leads.csv)") in message
    assert "Converted Lead ID" not in message
    side_by_side = load_company(import_files([leads, opportunities], tmp_path / "acme", mapping="salesforce"))
    assert len(side_by_side.leads) == 50 and side_by_side.opportunities["lead_id"].isna().all()
    assert len(side_by_side.opportunities) == len(pd.read_csv(opportunities))
    note = next(n for n in side_by_side.params["import"]["notes"] if "side by side" in n)
    assert "add the column 'Converted Opportunity ID'" in note
    assert "opportunities.lead_id" in side_by_side.params["import"]["unmeasured"]


# ---- 10. smaller mistakes --------------------------------------------------------------------------

def test_a_folder_a_zip_and_a_wrong_mapping_are_explained(hubspot_files, tmp_path):
    assert "this is a folder, not a file: pass the export files inside it (hubspot-contacts.csv, hubspot-deals.csv)" in (
        _refused([hubspot_files[0].parent]))
    archive = tmp_path / "hubspot-export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(hubspot_files[0], "contacts.csv")
    assert "unzip it first (HubSpot e-mails exports as .zip) and pass the files inside (contacts.csv)" in (
        _refused([archive]))
    message = _refused(hubspot_files, mapping="salesforce")
    assert "these files look like a hubspot export" in message and "try --mapping hubspot" in message


def test_hubspot_columns_and_internal_source_values(hubspot_files, tmp_path):
    contacts = _contacts(hubspot_files).drop(columns=["First Engagement Date"])
    contacts["Last Contacted"] = contacts["Create Date"]
    sources = ["PAID_SEARCH", "ORGANIC_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "PAID_SOCIAL", "REFERRALS",
               "DIRECT_TRAFFIC", "OFFLINE", "OTHER_CAMPAIGNS"]
    contacts["Original Source"] = [sources[i % len(sources)] for i in range(len(contacts))]
    contacts.to_csv(tmp_path / "contacts.csv", index=False)
    deals = pd.read_csv(hubspot_files[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    deals["Amount in company currency"] = "$1.00"
    deals.to_csv(tmp_path / "deals.csv", index=False)
    acme = load_company(import_files([tmp_path / "contacts.csv", tmp_path / "deals.csv"], tmp_path / "a"))
    assert acme.leads["first_response_minutes"].isna().all()  # "Last Contacted" is not the first contact
    assert any(a.startswith("leads.sal_at") for a in acme.params["import"]["approximated"])
    assert (acme.opportunities["amount"] == 1.0).all()
    assert acme.leads["channel"].astype(str).iloc[:9].tolist() == [
        "paid_search", "content", "email", "paid_social", "paid_social", "referral", "content", "events", "partner"]


def test_every_approximation_note_goes_through_the_message_catalog(hubspot_files, tmp_path, monkeypatch):
    monkeypatch.setattr(build, "_", lambda message, **values: "«" + message.format(**values) + "»")
    contacts = _contacts(hubspot_files)[["Record ID", "Create Date", "Original Source"]]
    contacts.loc[0, "Original Source"] = ""
    contacts.to_csv(tmp_path / "contacts.csv", index=False)
    info = load_company(import_files([tmp_path / "contacts.csv", hubspot_files[1]], tmp_path / "a")).params
    approximated = info["import"]["approximated"]
    assert len(approximated) == 9 and all(a.startswith("«") and a.endswith("»") for a in approximated)


# ---- 11. imported data stays out of git -------------------------------------------------------------

def test_imports_and_results_are_ignored_but_the_course_data_is_not():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")

    def ignored(*paths):
        result = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT, capture_output=True,
                                text=True, check=False)
        return result.stdout.split()

    assert ignored("datasets/acme/leads.csv", "results/02_kpis.html") == ["datasets/acme/leads.csv",
                                                                          "results/02_kpis.html"]
    committed = subprocess.run(["git", "ls-files", "datasets"], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.split()
    assert committed and ignored(*committed) == []
