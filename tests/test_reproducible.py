"""The same course on every machine: the committed companies, and the figures a notebook shows from them,
come out byte for byte the same whatever the processor's SIMD level, the hash seed, the time zone or the
locale. Each variant runs in a fresh process, because numpy reads its CPU dispatch once, at import."""

from __future__ import annotations

import filecmp
import json
import locale
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATASETS

# A module-03-and-04 sample of what the notebooks print: sorts, groups and joins whose order reaches the page.
KEY_FIGURES = """
import json, sys
from smarketing import alignment, attribution, funnel, load_company, roles
out = {}
for name in ("lumen", "ferro", "bloom"):
    c = load_company(sys.argv[1] + "/" + name)
    out[name] = {
        "stages": funnel.stage_conversion(c.leads, c.opportunities).to_json(double_precision=15),
        "threshold": funnel.mql_threshold_tradeoff(c.leads, c.opportunities).to_json(double_precision=15),
        "outcomes": funnel.mql_outcomes(c.leads).to_json(double_precision=15),
        "closed_loop": alignment.closed_loop_report(c.leads, c.opportunities, c.campaigns).to_json(double_precision=15),
        "credit": attribution.credit_by_channel(c.touchpoints, c.opportunities).to_json(double_precision=15),
        "misplaced": roles.misplaced_work(c.activities, c.employees).to_json(double_precision=15),
    }
print(json.dumps(out, sort_keys=True))
"""

# numpy's x86 dispatch levels above the baseline, highest first, as NPY_DISABLE_CPU_FEATURES names them:
# disabling a level disables the ones above it too, so each variant runs the sorting kernels of one level.
X86_LEVELS = {
    "AVX2 (AVX-512 off)": ("X86_V4", "AVX512_ICL", "AVX512_SPR"),
    "SSE4.2 baseline (AVX2 and AVX-512 off)": ("X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"),
}


def _found_features() -> set[str]:
    from numpy._core._multiarray_umath import __cpu_features__

    return {name for name, on in __cpu_features__.items() if on}


def _decimal_comma_locale() -> str | None:
    """An installed locale that writes numbers unlike C (German: 1.234,5), or None."""
    for candidate in ("de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"):
        saved = locale.setlocale(locale.LC_ALL)
        try:
            locale.setlocale(locale.LC_ALL, candidate)
            return candidate
        except locale.Error:
            continue
        finally:
            locale.setlocale(locale.LC_ALL, saved)
    return None


def _variants() -> list:
    features = _found_features()
    cases = [pytest.param({}, id="default")]
    for label, disabled in X86_LEVELS.items():
        present = [f for f in disabled if f in features]
        marks = [] if present else [pytest.mark.skip(
            reason=f"this machine runs no {disabled[0]} kernels, so '{label}' cannot be switched to here")]
        cases.append(pytest.param({"NPY_DISABLE_CPU_FEATURES": " ".join(present)}, id=label, marks=marks))
    other = _decimal_comma_locale()
    cases += [
        pytest.param({"PYTHONHASHSEED": "0"}, id="hash seed 0"),
        pytest.param({"PYTHONHASHSEED": "4242"}, id="hash seed 4242"),
        pytest.param({"TZ": "Pacific/Kiritimati"}, id="time zone UTC+14"),
        pytest.param({"TZ": "America/Los_Angeles", "LC_ALL": other or "C"}, id="UTC-8 and a decimal-comma locale",
                     marks=[] if other else [pytest.mark.skip(
                         reason="no decimal-comma locale is installed (Debian: apt-get install locales; "
                                "localedef -i de_DE -f UTF-8 de_DE.UTF-8); .ci/run installs one")]),
    ]
    return cases


def _run(code: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *code], env={**os.environ, **env}, cwd=cwd, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def reference_figures(tmp_path_factory) -> str:
    return _run(["-c", KEY_FIGURES, str(DATASETS)], {}, tmp_path_factory.mktemp("ref")).stdout


@pytest.mark.parametrize("env", _variants())
def test_every_dataset_file_and_key_figure_is_the_same_under(env, tmp_path, reference_figures):
    out = tmp_path / "datasets"
    _run(["-m", "smarketing.cli", "generate", "all", "--out", str(out)], env, tmp_path)
    for name in ("lumen", "ferro", "bloom", "argo", "vela", "tide"):
        files = sorted(p.name for p in (DATASETS / name).iterdir())
        assert sorted(p.name for p in (out / name).iterdir()) == files
        _, mismatch, errors = filecmp.cmpfiles(out / name, DATASETS / name, files, shallow=False)
        assert mismatch == [] and errors == [], f"{name}: {mismatch or errors} differ under {env}"
    figures = json.loads(_run(["-c", KEY_FIGURES, str(DATASETS)], env, tmp_path).stdout)
    for name, tables in json.loads(reference_figures).items():
        for table, want in tables.items():
            assert _same_table(json.loads(figures[name][table]), json.loads(want)), f"{name} {table} differs under {env}"


def _same_table(got: dict, want: dict) -> bool:
    """Equal cell by cell: labels, order and text exactly; floats to 12 significant digits. numpy's AVX-512
    kernels for pow, exp and log (Intel's SVML) and its other kernels may differ in the last bit, which no
    notebook shows (they print 6 digits at most)."""
    if list(got) != list(want):
        return False
    for column, cells in want.items():
        if list(got[column]) != list(cells):
            return False
        for row, value in cells.items():
            mine = got[column][row]
            if isinstance(value, float) and isinstance(mine, float):
                if not math.isclose(mine, value, rel_tol=1e-12, abs_tol=1e-12):
                    return False
            elif mine != value:
                return False
    return True


def test_the_dispatch_switch_reaches_numpy(tmp_path):
    """The variants above would pass vacuously if numpy ignored the switch: check that it takes effect."""
    features = _found_features()
    if "X86_V3" not in features:
        pytest.skip("this machine has no AVX2 kernels (X86_V3) to switch off")
    done = _run(["-c", "from numpy._core._multiarray_umath import __cpu_features__ as f; print(f['X86_V3'])"],
                {"NPY_DISABLE_CPU_FEATURES": " ".join(f for f in X86_LEVELS[next(reversed(X86_LEVELS))]
                                                      if f in features)}, tmp_path)
    assert done.stdout.strip() == "False"
