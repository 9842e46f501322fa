"""The `smarketing` command line: generate (with --force and a progress bar) and validate."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import DATASETS
from tests.datasets.crm.exports import hubspot
from smarketing import load_company
from smarketing.cli import main
from smarketing.datasets.crm import import_files


def _rows(folder) -> int:
    return sum(len(frame) for frame in load_company(folder).tables.values())


def test_generate_writes_a_valid_company(tmp_path, capsys):
    out = tmp_path / "lumen"
    assert main(["generate", "lumen", "--size", "2000", "--seed", "3", "--out", str(out)]) == 0
    rows = _rows(out)
    assert capsys.readouterr().out == f"lumen: {rows:,} rows in 12 tables written to {out}\n"  # lumen sells no orders
    assert len(list(out.glob("*.csv"))) == 12 and (out / "company.json").exists()
    assert main(["validate", str(out)]) == 0
    assert capsys.readouterr().out == f"{out}: valid, {rows:,} rows in 12 tables (no orders).\n"


def test_generate_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("a learner's work")
    assert main(["generate", "bloom", "--size", "500", "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "a learner's work"
    assert main(["generate", "bloom", "--size", "500", "--out", str(out), "--force"]) == 0
    assert not (out / "notes.txt").exists() and (out / "orders.csv").exists()


def test_progress_bar_is_shown_on_request(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "smarketing.cli", "generate", "ferro", "--size", "1000", "--progress",
         "--out", str(tmp_path / "f")], capture_output=True, text=True, check=True)
    assert "ferro: writing" in result.stderr and "100%" in result.stderr


def test_validate_reports_every_problem_and_fails(tmp_path, capsys):
    folder = tmp_path / "ferro"
    shutil.copytree(DATASETS / "ferro", folder)
    campaigns = (folder / "campaigns.csv").read_text().splitlines()
    header, first, *rest = campaigns
    fields = first.split(",")
    fields[-1] = "-10.00"
    (folder / "campaigns.csv").write_text("\n".join([header, ",".join(fields), *rest]) + "\n")
    (folder / "targets.csv").unlink()
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "2 problem(s)" in out
    assert "campaigns.csv, column 'spend', line(s) 2: negative value(s)" in out
    assert "targets.csv: the file is missing" in out


def test_validate_unknown_folder(capsys):
    assert main(["validate", "no-such-company"]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_validate_names_what_an_import_lacks(tmp_path, capsys, companies):
    files = hubspot(companies["lumen"], tmp_path / "export", leads=50)
    folder = import_files(files[:1], tmp_path / "acme")  # contacts only: no deals
    assert main(["validate", str(folder)]) == 0
    assert capsys.readouterr().out == (f"{folder}: valid, {_rows(folder):,} rows in 4 tables (no touchpoints, "
                                       "later_touchpoints, support_tickets, orders, career_moves, activities, targets, "
                                       "opportunity_history, opportunities).\n")


def test_generate_into_a_folder_that_cannot_be_made(tmp_path, capsys):
    (tmp_path / "afile").write_text("not a folder")
    assert main(["generate", "lumen", "--size", "200", "--out", str(tmp_path / "afile" / "lumen")]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
