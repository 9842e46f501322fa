"""HubSpot and Salesforce exports made in their Chinese interface (headers and values in Chinese) are imported
with the ready mapping files of workshop/mappings/, and give the same company as the English export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from smarketing import load_company
from smarketing.datasets.crm import import_files
from tests.datasets.crm.exports import hubspot, salesforce

MAPPINGS = Path(__file__).resolve().parents[3] / "workshop" / "mappings"


def _in_chinese(files: list[Path], mapping: dict) -> list[Path]:
    """The export with each mapped header renamed to the mapping's first (Chinese) label."""
    renamed = {}
    for kind in ("leads", "deals"):
        for labels in mapping[kind].values():
            labels = [labels] if isinstance(labels, str) else labels
            for english in labels[1:]:
                renamed.setdefault(english, labels[0])
    translated = []
    for path in files:
        frame = pd.read_excel(path, dtype=str) if path.suffix == ".xlsx" else pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="gbk" if "salesforce" in path.name else "utf-8-sig")
        frame = frame.rename(columns=renamed)
        out = path.with_name("zh-" + path.stem + ".csv")
        frame.to_csv(out, index=False, encoding="utf-8-sig")
        translated.append(out)
    return translated


@pytest.mark.parametrize("vendor, export", [("hubspot", hubspot), ("salesforce", salesforce)])
def test_a_chinese_export_reads_like_the_english_one(vendor, export, tmp_path, companies):
    mapping = yaml.safe_load((MAPPINGS / f"{vendor}-zh-CN.yml").read_text(encoding="utf-8"))
    english = export(companies["lumen"], tmp_path / "en", 300)
    chinese = _in_chinese(english, mapping)
    assert any("创建日期" in p.read_text(encoding="utf-8-sig").split("\n", 1)[0] for p in chinese)
    reference = load_company(import_files(english, tmp_path / "en-company", mapping=vendor))
    imported = load_company(import_files(chinese, tmp_path / "zh-company", mapping=MAPPINGS / f"{vendor}-zh-CN.yml"))
    assert len(imported.leads) == len(reference.leads) == 300
    assert len(imported.opportunities) == len(reference.opportunities)
    for column in ("created_at", "mql_at", "sql_at", "channel"):
        assert imported.leads[column].astype(str).tolist() == reference.leads[column].astype(str).tolist(), column
    assert (imported.opportunities["outcome"].astype(str).tolist()
            == reference.opportunities["outcome"].astype(str).tolist())
    assert imported.opportunities["amount"].sum() == pytest.approx(reference.opportunities["amount"].sum())


@pytest.mark.parametrize("vendor", ["hubspot", "salesforce"])
def test_chinese_values_are_read(vendor, tmp_path, companies):
    """Deal stages and lead sources written in Chinese land on the course's values, not on "unknown"."""
    mapping = yaml.safe_load((MAPPINGS / f"{vendor}-zh-CN.yml").read_text(encoding="utf-8"))
    export = hubspot if vendor == "hubspot" else salesforce
    files = _in_chinese(export(companies["ferro"], tmp_path / "en", 200), mapping)
    stage_column = "交易阶段" if vendor == "hubspot" else "阶段"
    source_column = "原始来源" if vendor == "hubspot" else "潜在客户来源"
    stages = {course: chinese for chinese, course in reversed(list(mapping["stages"].items()))}
    sources = {}
    for chinese, course in reversed(list(mapping["channels"].items())):
        sources[course] = chinese
    leads, deals = (pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig") for p in files)
    english = load_company(import_files(files, tmp_path / "before", mapping=MAPPINGS / f"{vendor}-zh-CN.yml"))
    # Write each stage and source as the Chinese interface would, by the course value the English one had.
    deals[stage_column] = english.opportunities["stage"].astype(str).map(stages).fillna(deals[stage_column]).values
    leads[source_column] = english.leads["channel"].astype(str).map(sources).fillna(leads[source_column]).values
    deals.to_csv(files[1], index=False, encoding="utf-8-sig")
    leads.to_csv(files[0], index=False, encoding="utf-8-sig")
    assert deals[stage_column].str.contains(r"[\u4e00-\u9fff]").any()
    imported = load_company(import_files(files, tmp_path / "after", mapping=MAPPINGS / f"{vendor}-zh-CN.yml"))
    assert imported.opportunities["stage"].astype(str).tolist() == english.opportunities["stage"].astype(str).tolist()
    outcomes = english.opportunities["outcome"].astype(str).tolist()
    assert imported.opportunities["outcome"].astype(str).tolist() == outcomes
