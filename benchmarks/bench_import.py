"""Importing a large CRM export: the reader of one file (smarketing.datasets.crm.read) against the reader as it
was at git HEAD, and the whole `import_files` with each, in the same run.

    python benchmarks/bench_import.py [--rows 500000] [--repeat 1] [--keep FILE] [--baseline HEAD]

``--baseline`` names the git revision whose reader (and import) is the baseline: by default ec1704f, the last
commit with the csv-module reader and the all-or-nothing import.

Writes a HubSpot-shaped contacts export of ``--rows`` rows (Record ID, names, e-mail, US dates with AM/PM,
source, score, lifecycle dates, owner, size, stage), then measures each case in a fresh Python process (so
that one case's memory cannot hide another's): the best of ``--repeat`` wall-clock times and the process's
peak resident memory (its growth over the interpreter with the libraries imported in brackets). The new
import is also split into its phases (read, map and check, write). Targets (issue #15): 500,000 contacts
under 10 s and under 500 MB end to end.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["Paid Search", "Paid Social", "Organic Search", "Email Marketing", "Other Campaigns", "Offline Sources",
           "Referrals"]
OWNERS = ["Ana Silva", "Ben Okafor", "Chen Wei", "Dana Kim", "Eva Novak", "Farid Haddad"]
SIZES = ["51-200", "201-1000", "1001-5000"]


def write_contacts(path: Path, rows: int, seed: int = 0) -> None:
    """A HubSpot contacts export of ``rows`` contacts, vectorised: a fifth become MQLs, a third of those SQLs."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 730 * 86400, rows).astype("int64"), "s")
    mql = created + pd.to_timedelta(rng.exponential(3 * 86400, rows).astype("int64"), "s")
    sal = mql + pd.to_timedelta(rng.exponential(6 * 3600, rows).astype("int64"), "s")
    sql = sal + pd.to_timedelta(rng.exponential(5 * 86400, rows).astype("int64"), "s")
    stage = rng.random(rows)
    is_mql, is_sql = stage < 0.2, stage < 0.07

    def us(moments: pd.DatetimeIndex, keep: np.ndarray) -> np.ndarray:
        return np.where(keep, moments.strftime("%m/%d/%Y %I:%M %p"), "")

    ids = np.arange(100_000, 100_000 + rows).astype(str)
    frame = pd.DataFrame({
        "Record ID": ids, "First Name": "Contact", "Last Name": np.char.add("L", ids),
        "Email": np.char.add(np.char.add("contact", ids), "@example.com"),
        "Create Date": us(created, np.ones(rows, dtype=bool)),
        "Original Source": np.array(SOURCES)[rng.integers(0, len(SOURCES), rows)],
        "HubSpot Score": rng.integers(0, 101, rows).astype(str),
        "Became a Marketing Qualified Lead Date": us(mql, is_mql),
        "Became a Sales Qualified Lead Date": us(sql, is_sql),
        "First Engagement Date": us(sal, is_mql),
        "Contact owner": np.where(is_mql, np.array(OWNERS)[rng.integers(0, len(OWNERS), rows)], ""),
        "Number of Employees": np.array(SIZES)[rng.integers(0, len(SIZES), rows)],
        "Lifecycle Stage": np.where(is_sql, "Sales Qualified Lead", np.where(is_mql, "Marketing Qualified Lead",
                                                                               "Lead")),
    })
    frame.to_csv(path, index=False)


def reader_at_head(revision: str = "HEAD"):
    """smarketing.datasets.crm.read as committed at ``revision``, imported from `git show` into a temporary
    module."""
    source = subprocess.run(["git", "show", f"{revision}:src/smarketing/datasets/crm/read.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    (folder / "read_at_head.py").write_text(source)
    spec = importlib.util.spec_from_file_location("read_at_head", folder / "read_at_head.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["read_at_head"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _peak_mb() -> float:
    """The process's peak resident memory: VmHWM, which (unlike ru_maxrss) starts again at exec, so the parent
    that wrote the export is not counted."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(case: str, file: Path, repeat: int, baseline: str = "HEAD") -> dict:
    """One case, measured in this (fresh) process."""
    from smarketing.datasets import crm
    from smarketing.datasets.crm import read

    old = reader_at_head(baseline) if case.startswith("head") else None
    if old is not None:
        def old_read(path, progress=None):  # the old Export, handed on as the new one for the current build
            export, problems = old.read_export(path)
            if export is None:
                return None, problems
            return read.Export(export.path, export.frame, export.lines, export.notes), problems
        crm.read_export = old_read
    phases: dict[str, float] = {}
    for name in ("read_export", "map_export", "write_company"):
        work = getattr(crm, name)

        def timed(*args, _work=work, _name=name, **kwargs):
            began = time.perf_counter()
            try:
                return _work(*args, **kwargs)
            finally:
                phases[_name] = phases.get(_name, 0.0) + time.perf_counter() - began
        setattr(crm, name, timed)
    base = _peak_mb()
    best, rows = float("inf"), 0
    for _attempt in range(repeat):
        phases.clear()
        began = time.perf_counter()
        if case.endswith("import"):
            with tempfile.TemporaryDirectory() as folder:
                out = crm.import_files([file], Path(folder) / "acme")
                rows = len(pd.read_csv(out / "leads.csv", usecols=[0]))
        else:
            export, problems = crm.read_export(file)
            assert not problems, problems
            rows = len(export.frame)
            del export
        best = min(best, time.perf_counter() - began)
    return {"seconds": best, "peak_mb": _peak_mb(), "growth_mb": _peak_mb() - base, "rows": rows,
            "phases": dict(phases)}


def run(case: str, file: Path, repeat: int, baseline: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, __file__, "--child", case, "--file", str(file), "--repeat", str(repeat),
                           "--baseline", baseline],
                          check=False, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode:
        sys.exit(f"{case} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the export here and keep it")
    parser.add_argument("--baseline", default="ec1704f", help="the git revision of the baseline reader")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.file, args.repeat, args.baseline)))
        return
    print(f"machine: {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        file = args.keep or Path(folder) / "hubspot-contacts.csv"
        began = time.perf_counter()
        write_contacts(file, args.rows)
        print(f"export: {args.rows:,} contacts, {file.stat().st_size / 1024**2:.0f} MB "
              f"(written in {time.perf_counter() - began:.1f} s)")
        results = {case: run(case, file, args.repeat, args.baseline) for case in ("head read", "new read", "head import",
                                                                   "new import")}
    print(f"{'case':<14}{'rows':>10}{'seconds':>10}{'peak MB':>10}{'(growth)':>10}")
    for case, result in results.items():
        print(f"{case:<14}{result['rows']:>10,}{result['seconds']:>10.2f}{result['peak_mb']:>10.0f}"
              f"{result['growth_mb']:>10.0f}")
    for what in ("read", "import"):
        head, new = results[f"head {what}"], results[f"new {what}"]
        print(f"{what}: {head['seconds'] / new['seconds']:.1f}x faster, peak memory {new['peak_mb']:.0f} MB "
              f"against {head['peak_mb']:.0f} MB")
    for case in ("head import", "new import"):
        phases = results[case]["phases"]
        print(f"{case} by phase: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items()))
    print("targets (issue #15): the import under 10 s and under 500 MB")


if __name__ == "__main__":
    main()
