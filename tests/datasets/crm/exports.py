"""Realistic CRM exports for the import tests, written from a synthetic company: the column names, date
formats, money formats and encodings that HubSpot and Salesforce exports really use; and companies imported
from partial ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from smarketing.datasets import Company
from smarketing.datasets.crm import import_files

HUBSPOT_SOURCES = {"paid_search": "Paid Search", "paid_social": "Paid Social", "content": "Organic Search",
                   "email": "Email Marketing", "webinar": "Other Campaigns", "events": "Offline Sources",
                   "partner": "Other Campaigns", "referral": "Referrals"}
SALESFORCE_SOURCES = {"paid_search": "Advertisement", "paid_social": "Advertisement", "content": "Web",
                      "email": "Purchased List", "webinar": "Seminar - Internal", "events": "Trade Show",
                      "partner": "Partner Referral", "referral": "Word of mouth"}
HUBSPOT_STAGES = {"prospecting": "Appointment Scheduled", "qualification": "Qualified To Buy",
                  "proposal": "Presentation Scheduled", "negotiation": "Contract Sent", "closed_won": "Closed Won",
                  "closed_lost": "Closed Lost"}
SALESFORCE_STAGES = {"prospecting": "Prospecting", "qualification": "Qualification", "proposal": "Proposal/Price Quote",
                     "negotiation": "Negotiation/Review", "closed_won": "Closed Won", "closed_lost": "Closed Lost"}
HUBSPOT_LOSS_REASONS = {"price": "Price", "competitor": "Lost to competitor", "no_decision": "No decision",
                        "timing": "Timing", "product_fit": "Product fit"}  # free text in HubSpot: what reps type
EMPLOYEES = {"smb": "51-200", "mid_market": "201-1000", "enterprise": "1001-5000"}
OWNERS = ["Ana Silva", "Ben Okafor", "Chen Wei", "Dana Kim"]
CHINESE_OWNERS = ["王伟", "李娜", "张敏", "刘洋"]


def _sample(company: Company, leads: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    chosen = company.leads.iloc[:leads]
    deals = company.opportunities[company.opportunities["lead_id"].isin(chosen["lead_id"])]
    return chosen.reset_index(drop=True), deals.reset_index(drop=True)


def _owner(ids: pd.Series, names: list[str]) -> pd.Series:
    codes = ids.astype(str).str.extract(r"(\d+)$")[0].astype(float).fillna(0).astype(int)
    return codes.map(lambda n: names[n % len(names)])


def _us(moments: pd.Series, with_time: bool = True) -> pd.Series:
    text = moments.dt.strftime("%m/%d/%Y %I:%M %p" if with_time else "%m/%d/%Y")
    return text.fillna("")


def hubspot(company: Company, folder: Path, leads: int = 400) -> list[Path]:
    """contacts.csv and deals.csv as HubSpot exports them: 'Record ID', US dates, '$' amounts, UTF-8."""
    chosen, deals = _sample(company, leads)
    record = {lead: str(100_000 + i) for i, lead in enumerate(chosen["lead_id"])}
    contacts = pd.DataFrame({
        "Record ID": chosen["lead_id"].map(record),
        "First Name": "Contact", "Last Name": chosen["lead_id"],
        "Email": chosen["lead_id"].str.lower() + "@example.com",
        "Create Date": _us(chosen["created_at"]),
        "Original Source": chosen["channel"].astype(str).map(HUBSPOT_SOURCES),
        "HubSpot Score": chosen["score"].astype(int).astype(str),
        "Became a Marketing Qualified Lead Date": _us(chosen["mql_at"]),
        "Became a Sales Qualified Lead Date": _us(chosen["sql_at"]),
        "First Engagement Date": _us(chosen["sal_at"]),
        "Contact owner": _owner(chosen["owner_id"], OWNERS).where(chosen["owner_id"].notna(), ""),
        "Number of Employees": chosen["segment"].astype(str).map(EMPLOYEES),
        "Lifecycle Stage": np.where(chosen["sql_at"].notna(), "Sales Qualified Lead", "Lead"),
    })
    deal_rows = pd.DataFrame({
        "Record ID": [str(900_000 + i) for i in range(len(deals))],
        "Deal Name": "Deal " + deals["opportunity_id"],
        "Deal Stage": deals["stage"].astype(str).map(HUBSPOT_STAGES),
        "Amount": deals["amount"].map(lambda a: f"${a:,.2f}"),
        "Create Date": _us(deals["created_at"]),
        "Close Date": _us(deals["closed_at"]),
        "Deal owner": _owner(deals["owner_id"], OWNERS),
        "Associated Contact IDs": deals["lead_id"].map(record),
        "Closed Lost Reason": deals["loss_reason"].astype(str).map(HUBSPOT_LOSS_REASONS).fillna(""),
        "Pipeline": "Sales Pipeline",
    })
    folder.mkdir(parents=True, exist_ok=True)
    contacts.to_csv(folder / "hubspot-contacts.csv", index=False, encoding="utf-8")
    deal_rows.to_csv(folder / "hubspot-deals.csv", index=False, encoding="utf-8-sig")  # Excel adds a BOM
    return [folder / "hubspot-contacts.csv", folder / "hubspot-deals.csv"]


def salesforce(company: Company, folder: Path, leads: int = 400, chinese_excel: bool = True) -> list[Path]:
    """Leads and opportunities reports as Salesforce exports them: 'Lead ID', 'Converted Opportunity ID',
    Hot/Warm/Cold ratings. With ``chinese_excel`` the leads report is a GBK-encoded CSV with Chinese owner
    names and 2025/01/31 dates (as Excel saves it on a Chinese Windows), and the opportunities an .xlsx."""
    chosen, deals = _sample(company, leads)
    converted = deals.groupby("lead_id")["opportunity_id"].first()
    date = (lambda m: m.dt.strftime("%Y/%m/%d %H:%M").fillna("")) if chinese_excel else (
        lambda m: m.dt.strftime("%d/%m/%Y %H:%M").fillna(""))
    names = CHINESE_OWNERS if chinese_excel else OWNERS
    rating = pd.cut(chosen["score"].astype(float), [-1, 40, 60, 101], labels=["Cold", "Warm", "Hot"]).astype(str)
    lead_rows = pd.DataFrame({
        "Lead ID": "00Q" + chosen["lead_id"].str[1:],
        "Created Date": date(chosen["created_at"]),
        "Lead Source": chosen["channel"].astype(str).map(SALESFORCE_SOURCES),
        "Rating": rating,
        "MQL Date": date(chosen["mql_at"]),
        "First Response Date": date(chosen["sal_at"]),
        "Converted Date": date(chosen["sql_at"]),
        "Lead Owner": _owner(chosen["owner_id"], names).where(chosen["owner_id"].notna(), ""),
        "No. of Employees": chosen["segment"].astype(str).map({"smb": "120", "mid_market": "450",
                                                               "enterprise": "2300"}),
        "Converted Opportunity ID": chosen["lead_id"].map(converted).map(lambda o: "006" + o[1:] if isinstance(o, str)
                                                                         else ""),
        "Company": "公司 " + chosen["lead_id"] if chinese_excel else "Company " + chosen["lead_id"],
    })
    opportunity_rows = pd.DataFrame({
        "Opportunity ID": "006" + deals["opportunity_id"].str[1:],
        "Opportunity Name": "Opportunity " + deals["opportunity_id"],
        "Stage": deals["stage"].astype(str).map(SALESFORCE_STAGES),
        "Amount": deals["amount"].map(lambda a: f"{a:,.2f}"),
        "Created Date": date(deals["created_at"]),
        "Close Date": date(deals["closed_at"]),
        "Opportunity Owner": _owner(deals["owner_id"], names),
        "Probability (%)": "50",
    })
    folder.mkdir(parents=True, exist_ok=True)
    leads_path = folder / "salesforce-leads.csv"
    if chinese_excel:
        leads_path.write_bytes(lead_rows.to_csv(index=False).encode("gbk"))
        opportunities_path = folder / "salesforce-opportunities.xlsx"
        opportunity_rows.to_excel(opportunities_path, index=False)
    else:
        lead_rows.to_csv(leads_path, index=False)
        opportunities_path = folder / "salesforce-opportunities.csv"
        opportunity_rows.to_csv(opportunities_path, index=False)
    return [leads_path, opportunities_path]


EUROPEAN_OWNERS = ["Jürgen Müller", "Sören Åkesson", "François Lefèvre", "Zoë Ødegård"]


def european(company: Company, folder: Path, leads: int = 200, encoding: str = "cp1252") -> list[Path]:
    """Leads and opportunities reports as a European Salesforce user saves them from Excel: semicolon-separated,
    Windows-1252 (or Latin-1, which has no €), day-first dates, amounts like 12.500,00 €, owners with umlauts."""
    chosen, deals = _sample(company, leads)
    def date(moments: pd.Series) -> pd.Series:
        return moments.dt.strftime("%d/%m/%Y %H:%M").fillna("")

    converted = deals.groupby("lead_id")["opportunity_id"].first()
    currency = "€" if encoding == "cp1252" else "EUR"
    lead_rows = pd.DataFrame({
        "Lead ID": "00Q" + chosen["lead_id"].str[1:],
        "Created Date": date(chosen["created_at"]),
        "Lead Source": chosen["channel"].astype(str).map(SALESFORCE_SOURCES),
        "MQL Date": date(chosen["mql_at"]),
        "Converted Date": date(chosen["sql_at"]),
        "Lead Owner": _owner(chosen["owner_id"], EUROPEAN_OWNERS).where(chosen["owner_id"].notna(), ""),
        "Converted Opportunity ID": chosen["lead_id"].map(converted).map(
            lambda o: "006" + o[1:] if isinstance(o, str) else ""),
    })
    opportunity_rows = pd.DataFrame({
        "Opportunity ID": "006" + deals["opportunity_id"].str[1:],
        "Stage": deals["stage"].astype(str).map(SALESFORCE_STAGES),
        "Amount": deals["amount"].map(lambda a: f"{a:,.2f}".translate(str.maketrans(",.", ".,")) + f" {currency}"),
        "Created Date": date(deals["created_at"]),
        "Close Date": date(deals["closed_at"]),
        "Opportunity Owner": _owner(deals["owner_id"], EUROPEAN_OWNERS),
    })
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "leads.csv", folder / "opportunities.csv"]
    for frame, path in zip((lead_rows, opportunity_rows), paths, strict=True):
        path.write_bytes(frame.to_csv(index=False, sep=";").encode(encoding))
    return paths


SALESFORCE_FOOTER = ('\n\n"Total"\n\n"Confidential Information - Do Not Distribute"\n'
                     '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n')


def with_footer(path: Path) -> Path:
    """The report footer Salesforce writes below the rows of a report exported as CSV."""
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + SALESFORCE_FOOTER, encoding="utf-8")
    return path


def formatted_excel(csv_path: Path, path: Path) -> Path:
    """A 'formatted report' .xlsx: a title, the filters and a blank row above the column names, and the
    table starting in column B, as Salesforce writes it."""
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    title = pd.DataFrame([["Opportunities report"], ["Filtered By: Close Date equals THIS YEAR"], [""]])
    with pd.ExcelWriter(path) as writer:
        title.to_excel(writer, index=False, header=False, startcol=1)
        frame.to_excel(writer, index=False, startrow=len(title), startcol=1)
    return path


def partial_imports(company: Company, folder: Path) -> dict[str, Path]:
    """Two companies imported from a HubSpot export of ``company``'s first 300 leads, each holding less than a
    course company: ``"contacts_only"`` (no deals export) and ``"nothing_won"`` (deals, none of them won yet)."""
    files = hubspot(company, folder / "export", leads=300)
    spoiled = folder / "spoiled" / "deals.csv"
    spoiled.parent.mkdir(parents=True)
    spoiled.write_text(files[1].read_text(encoding="utf-8-sig").replace("Closed Won", "Closed Lost"), encoding="utf-8")
    return {"contacts_only": import_files(files[:1], folder / "imports" / "contacts-only"),
            "nothing_won": import_files([files[0], spoiled], folder / "imports" / "no-wins")}



# ---- files as reports, spreadsheets and hostile hands leave them (tests/datasets/crm/test_read.py) --------

SALESFORCE_COPYRIGHT = "Copyright © 2000-2026 salesforce.com, inc. All rights reserved."


def _amount_value(text: str) -> float:
    return float(text.replace(",", "").replace("$", "") or 0)


def salesforce_formatted_report(csv_path: Path, path: Path, group_by: str = "Stage", org: str = "Acme Corp",
                                title_rows: int = 14) -> Path:
    """A Salesforce *formatted* report (.xlsx) of a CSV report: a title block of ``title_rows`` rows (report
    name, filters, "Generated by"), the table from column B grouped by ``group_by`` (the group value once, in a
    cell merged over the group's rows), a 'Subtotal' row under each group and a 'Total' row at the end, then
    the footer: copyright, confidential line, generated-by line and the org's name. Returns the path; the rows
    of the table are in the order of the groups (sorted by ``group_by``)."""
    from openpyxl import Workbook

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.sort_values(group_by, kind="stable")
    columns = [group_by] + [c for c in frame.columns if c != group_by]
    workbook = Workbook()
    sheet = workbook.active
    title = ["Opportunities by Stage", "", "Report type: Opportunities", "Filtered By:",
             "   Close Date equals THIS YEAR", "   Opportunity Status equals Any", "Show: All opportunities",
             "Units: US Dollars", "", "Generated by Jane Doe", "Acme Corp", "03/12/2026 14:01", "", ""]
    for row, text in enumerate((title * 3)[:title_rows], 1):
        if text:
            sheet.cell(row=row, column=2, value=text)
    row = title_rows + 1
    for column, name in enumerate(columns, 2):
        sheet.cell(row=row, column=column, value=name)
    amount = columns.index("Amount") + 2 if "Amount" in columns else None
    total = 0.0
    for value, group in frame.groupby(group_by, sort=False):
        first = row + 1
        for _index, record in group.iterrows():
            row += 1
            for column, name in enumerate(columns, 2):
                if name != group_by or row == first:  # the group value once, in the merged cell
                    sheet.cell(row=row, column=column, value=record[name])
        if row > first:
            sheet.merge_cells(start_row=first, start_column=2, end_row=row, end_column=2)
        row += 1
        subtotal = sum(_amount_value(a) for a in group.get("Amount", []))
        total += subtotal
        sheet.cell(row=row, column=2, value="Subtotal")
        if amount:
            sheet.cell(row=row, column=amount, value=subtotal)
    row += 1
    sheet.cell(row=row, column=2, value="Total")
    if amount:
        sheet.cell(row=row, column=amount, value=total)
    for text in ("", SALESFORCE_COPYRIGHT, "Confidential Information - Do Not Distribute",
                 "Generated By: Jane Doe 03/12/2026 14:01", org):
        row += 1
        if text:
            sheet.cell(row=row, column=2, value=text)
    workbook.save(path)
    return path


def with_org_footer(path: Path, org: str = "Acme Corp", full: bool = True) -> Path:
    """A classic Salesforce CSV report's footer ending with the org's name: with ``full`` the confidential,
    copyright and generated-by lines and then the org; otherwise a blank line and the org alone."""
    lines = ["Confidential Information - Do Not Distribute", SALESFORCE_COPYRIGHT,
             "Generated By:  Jane Doe  3/12/2026 2:01 PM", org] if full else [org]
    footer = "\n\n" + "".join(f'"{line}"\n' for line in lines)
    path.write_text(path.read_text(encoding="utf-8-sig").rstrip("\n") + footer, encoding="utf-8")
    return path


def with_junk_rows(path: Path) -> dict[str, tuple[int, ...]]:
    """Spoil a CSV as a spreadsheet leaves it: a blank line and a 'Total' row among the rows, and below the
    table a blank line and a row of statistics (numbers under the amount column only). Returns the lines of
    each kind of junk (the header is line 1)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    amount = list(frame.columns).index("Amount")
    text = frame.to_csv(index=False).splitlines()
    width = len(frame.columns)
    total = ["Total"] + [""] * (width - 1)
    stats = [""] * width
    stats[amount] = "123456.78"
    lines = text[:4] + [""] + text[4:8] + [",".join(total)] + text[8:] + ["", ",".join(stats)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    last = len(lines)
    return {"blank": (5,), "total": (10,), "numbers": (last,)}


def hubspot_all_properties(contacts: Path, path: Path) -> Path:
    """HubSpot's "all properties" contacts export: 'Associated Company' and 'Associated Company IDs' written
    twice (the primary association and all associations)."""
    frame = pd.read_csv(contacts, dtype=str, keep_default_na=False)
    extra = pd.DataFrame({"Associated Company": "Acme", "Associated Company IDs": "77",
                          "Associated Company (primary)": "Acme"}, index=frame.index)
    both = pd.concat([frame, extra, extra[["Associated Company", "Associated Company IDs"]]], axis=1)
    both.to_csv(path, index=False)
    return path


def mixed_encodings(path: Path) -> Path:
    """Leads whose first rows were saved as UTF-8 and the rest (pasted from another export) as Windows-1252:
    'Jürgen Müller' spelt in both."""
    head = "Lead ID,Created Date,Lead Owner\n00Q1,2025-03-01,Jürgen Müller\n00Q2,2025-03-02,Ana Silva\n"
    tail = "00Q3,2025-03-03,Jürgen Müller\n00Q4,2025-03-04,Sören Åkesson\n"
    path.write_bytes(head.encode("utf-8") + tail.encode("cp1252"))
    return path


def _rewrite_sheet(path: Path, change) -> Path:
    """The workbook with its first sheet's XML changed by ``change`` (bytes -> bytes)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info.filename) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            archive.writestr(info.filename, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return path


def enormous_sheet(path: Path, how: str) -> Path:
    """A tiny workbook that would take gigabytes if its sheet were read as declared: ``"dimension"`` declares
    A1:XFD1048576; ``"far_row"`` holds a value at row 1,000,000 (and declares it); ``"undeclared_far_row"``
    holds it while declaring A1:C3; ``"bomb"`` adds a part of 64 MB of zeros, deflated to a few kilobytes."""
    import re
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in (["Lead ID", "Created Date", "Lead Source"], ["00Q1", "2025-03-01", "Web"],
                ["00Q2", "2025-03-02", "Web"]):
        sheet.append(row)
    if how in ("far_row", "undeclared_far_row"):
        sheet.cell(row=1_000_000, column=1, value="00Q3")
    workbook.save(path)
    if how == "dimension":
        return _rewrite_sheet(path, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"',
                                                       xml))
    if how == "undeclared_far_row":
        return _rewrite_sheet(path, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C3"', xml))
    if how == "bomb":
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/media/image1.bin", bytes(64 * 1024**2))
    return path


def with_long_cell(path: Path, characters: int = 10_000_000, row: int = 3, column: str = "Description") -> Path:
    """A CSV export with an e-mail body of ``characters`` characters in one cell of ``column`` (added), on the
    data row ``row`` (1-based)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame[column] = "short"
    frame.loc[row - 1, column] = "<p>" + "x" * (characters - 7) + "</p>"
    frame.to_csv(path, index=False)
    return path


ZOHO_SOURCES = {"paid_search": "Advertisement", "paid_social": "Facebook", "content": "Web Download",
                "email": "Sales Email Alias", "webinar": "Internal Seminar", "events": "Trade Show",
                "partner": "Partner", "referral": "External Referral"}
ZOHO_STAGES = {"prospecting": "Qualification", "qualification": "Needs Analysis", "proposal": "Proposal/Price Quote",
               "negotiation": "Negotiation/Review", "closed_won": "Closed Won",
               "closed_lost": "Closed Lost to Competition"}


def zoho(company: Company, folder: Path, leads: int = 300) -> list[Path]:
    """Leads and Deals as Zoho CRM exports them: 'Record Id', 'Created Time' written '15 Apr, 2021 00:03:00',
    its own lead sources and stages; no column links a deal to the lead it came from."""
    chosen, deals = _sample(company, leads)
    zoho_time = lambda m: m.dt.strftime("%d %b, %Y %H:%M:%S").fillna("")  # noqa: E731 - one format, named here
    lead_rows = pd.DataFrame({
        "Record Id": "zcrm_" + chosen["lead_id"].str[1:],
        "Lead Owner": _owner(chosen["owner_id"], OWNERS).where(chosen["owner_id"].notna(), ""),
        "Last Name": chosen["lead_id"], "Company": "Company " + chosen["lead_id"],
        "Lead Source": chosen["channel"].astype(str).map(ZOHO_SOURCES),
        "No. of Employees": chosen["segment"].astype(str).map({"smb": "120", "mid_market": "450",
                                                               "enterprise": "2300"}),
        "Created Time": zoho_time(chosen["created_at"]),
    })
    deal_rows = pd.DataFrame({
        "Record Id": "zcrm_" + deals["opportunity_id"].str[1:],
        "Deal Owner": _owner(deals["owner_id"], OWNERS),
        "Deal Name": "Deal " + deals["opportunity_id"],
        "Amount": deals["amount"].map(lambda a: f"{a:.2f}"),
        "Stage": deals["stage"].astype(str).map(ZOHO_STAGES),
        "Closing Date": deals["closed_at"].dt.strftime("%b %d, %Y").fillna(""),
        "Created Time": zoho_time(deals["created_at"]),
        "Contact Name": "Contact " + deals["lead_id"],
    })
    folder.mkdir(parents=True, exist_ok=True)
    lead_rows.to_csv(folder / "Leads_001.csv", index=False)
    deal_rows.to_csv(folder / "Deals_001.csv", index=False)
    return [folder / "Leads_001.csv", folder / "Deals_001.csv"]


def dynamics_opportunities(company: Company, folder: Path, deals: int = 150) -> Path:
    """Opportunities as Dynamics 365 exports them to Excel: a '(Do Not Modify)' ID column, Est. Revenue, the
    pipeline phase, won and lost in Status, US dates with AM/PM."""
    chosen = company.opportunities.head(deals)
    status = chosen["outcome"].astype(str).map({"won": "Won", "lost": "Lost", "open": "Open"})
    phase = chosen["stage"].astype(str).map({"prospecting": "1-Qualify", "qualification": "2-Develop",
                                             "proposal": "3-Propose", "negotiation": "4-Close",
                                             "closed_won": "4-Close", "closed_lost": "2-Develop"})
    rows = pd.DataFrame({
        "(Do Not Modify) Opportunity": [f"{i:08x}-6b1f-4c2e-9a1d-3f0c2b7e{i:04x}" for i in range(len(chosen))],
        "(Do Not Modify) Row Checksum": "abc123",
        "Topic": "Deal " + chosen["opportunity_id"],
        "Est. Revenue": chosen["amount"].map(lambda a: f"${a:,.2f}"),
        "Pipeline Phase": phase, "Status": status,
        "Actual Close Date": _us(chosen["closed_at"], with_time=False),
        "Owner": _owner(chosen["owner_id"], OWNERS),
        "Created On": _us(chosen["created_at"]),
    })
    folder.mkdir(parents=True, exist_ok=True)
    rows.to_excel(folder / "Open Opportunities.xlsx", index=False)
    return folder / "Open Opportunities.xlsx"


def data_loader_leads(company: Company, folder: Path, leads: int = 200) -> Path:
    """Leads as Salesforce's Data Loader extracts them: API field names, ISO timestamps, owner IDs."""
    chosen, _deals = _sample(company, leads)
    iso = lambda m: m.dt.strftime("%Y-%m-%dT%H:%M:%S.000+0000").fillna("")  # noqa: E731
    rows = pd.DataFrame({
        "Id": "00Q" + chosen["lead_id"].str[1:], "CreatedDate": iso(chosen["created_at"]),
        "LeadSource": chosen["channel"].astype(str).map(SALESFORCE_SOURCES),
        "ConvertedDate": chosen["sql_at"].dt.strftime("%Y-%m-%d").fillna(""),
        "OwnerId": "005" + chosen["owner_id"].fillna("E0000").str[1:],
        "NumberOfEmployees": chosen["segment"].astype(str).map({"smb": "120", "mid_market": "450",
                                                                "enterprise": "2300"}),
    })
    folder.mkdir(parents=True, exist_ok=True)
    rows.to_csv(folder / "extract.csv", index=False)
    return folder / "extract.csv"


PIPEDRIVE_STAGE_IDS = {"prospecting": "1", "qualification": "2", "proposal": "3", "negotiation": "4",
                       "closed_won": "4", "closed_lost": "2"}  # won and lost: the stage the deal left from


def pipedrive(company: Company, folder: Path, leads: int = 300) -> list[Path]:
    """Persons and Deals as Pipedrive's API returns them, extracted to CSV: its field names (id, add_time, value,
    stage_id, status, close_time, lost_reason), UTC times 'YYYY-MM-DD HH:MM:SS', numeric IDs; a deal names its
    person (person_id), and persons and deals name their owner by user ID."""
    chosen, deals = _sample(company, leads)
    utc = lambda m: m.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")  # noqa: E731 - one format, named here
    person = {lead: str(7_000 + i) for i, lead in enumerate(chosen["lead_id"])}
    users = {name: str(12_000_001 + i) for i, name in enumerate(OWNERS)}
    persons = pd.DataFrame({
        "id": chosen["lead_id"].map(person), "name": "Contact " + chosen["lead_id"],
        "add_time": utc(chosen["created_at"]),
        "owner_id": _owner(chosen["owner_id"], OWNERS).map(users).where(chosen["owner_id"].notna(), ""),
        "org_name": "Company " + chosen["lead_id"],
    })
    deal_rows = pd.DataFrame({
        "id": [str(300 + i) for i in range(len(deals))], "title": "Deal " + deals["opportunity_id"],
        "person_id": deals["lead_id"].map(person),
        "user_id": _owner(deals["owner_id"], OWNERS).map(users),
        "value": deals["amount"].map(lambda a: f"{a:.2f}"), "currency": "USD",
        "add_time": utc(deals["created_at"]),
        "stage_id": deals["stage"].astype(str).map(PIPEDRIVE_STAGE_IDS),
        "status": deals["outcome"].astype(str),
        "close_time": utc(deals["closed_at"]),
        "lost_reason": deals["loss_reason"].astype(str).map({"price": "Too expensive", "competitor":
                                                             "Lost to competitor"}).fillna(""),
    })
    folder.mkdir(parents=True, exist_ok=True)
    persons.to_csv(folder / "persons.csv", index=False)
    deal_rows.to_csv(folder / "deals.csv", index=False)
    return [folder / "persons.csv", folder / "deals.csv"]


def pipeline_sheet(folder: Path) -> Path:
    """A pipeline sheet as analysts publish them: one row per opportunity, with its agent, account, deal_stage
    (Won, Lost, Engaging, Prospecting), engage_date, close_date and close_value; the two deals never engaged
    (lines 6 and 12) have no engage_date."""
    rows = pd.DataFrame({
        "opportunity_id": [f"1C1I7A6R{i:02d}" for i in range(12)],
        "sales_agent": ["Moses Frase", "Darcel Schlecht"] * 6,
        "product": "GTX Plus Basic", "account": "Cancity",
        "deal_stage": ["Won", "Won", "Lost", "Engaging", "Prospecting", "Won", "Lost", "Won", "Engaging", "Lost",
                       "Prospecting", "Won"],
        "engage_date": ["2016-10-20", "2016-10-25", "2016-10-25", "2016-10-30", "", "2016-11-01", "2016-11-02",
                        "2016-11-03", "2016-11-04", "2016-11-05", "", "2016-11-07"],
        "close_date": ["2017-03-01", "2017-03-11", "2017-03-07", "", "", "2017-02-01", "2017-01-15", "2017-04-02",
                       "", "2017-01-20", "", "2017-05-05"],
        "close_value": ["1054", "4514", "0", "", "", "50", "0", "588", "", "0", "", "517"],
    })
    folder.mkdir(parents=True, exist_ok=True)
    rows.to_csv(folder / "sales_pipeline.csv", index=False)
    return folder / "sales_pipeline.csv"
