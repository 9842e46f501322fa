"""How fast the course runs: each notebook top to bottom, and each app's recompute when a control moves.

    python benchmarks/bench_course.py [--leads 1000000] [--repeat 15] [--skip-notebooks]

Notebooks: each course notebook executed in a fresh kernel (kernel start included), against an empty
notebook in the same run (the baseline: kernel start and one trivial cell). Targets (issue #3): every
notebook under 15 s.

Apps: the time from setting a control to the summary, table and chart spec being redrawn, median of
``--repeat`` moves, for the committed company and for one with ``--leads`` leads. Baseline, in the
same run: the naive app that recomputes its table from the raw rows on every move (what the apps do
once, when built). Targets: under 50 ms at default size, under 300 ms at a million leads.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

from smarketing import dashboard, funnel, load_company, notebooks, widgets
from smarketing.datasets import simulate_company

ROOT = Path(__file__).resolve().parents[1]


def _median_ms(action: Callable[[int], None], repeat: int) -> float:
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_notebooks() -> list[tuple[str, float, float]]:
    with tempfile.TemporaryDirectory() as scratch:
        empty = Path(scratch) / "empty.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), empty)
        _, baseline = notebooks.execute(empty)
        rows = []
        for path in sorted((ROOT / "course").glob("*.ipynb")):
            copy = Path(scratch) / path.name
            shutil.copy(path, copy)
            _, seconds = notebooks.execute(copy, cwd=path.parent)
            rows.append((path.name, seconds, baseline))
    return rows


Move = Callable[[int], None]


def _apps(company, companies) -> dict[str, tuple[Move, Move | None]]:
    """Each app's move of one control, and the naive recompute of the same move (None for apps that
    have nothing to precompute)."""
    dash = widgets.KPIDashboard(companies)
    simulator = widgets.FunnelSimulator.from_company(company)
    threshold = widgets.ThresholdExplorer(company)
    planner = widgets.SLAPlanner.from_company(company)
    capacity = widgets.CapacityPlanner.from_company(company, "2025Q4")
    skills = widgets.SkillsAssessment()
    sorter = widgets.RoleSorter()
    quarters = dash.quarter.options
    functions = dash.function.options
    names = dash.company.options

    def move_dash(i: int) -> None:
        dash.quarter.value = quarters[i % len(quarters)]

    def naive_dash(i: int) -> None:
        dashboard.quarterly_kpis(company)
        move_dash(i)

    def move_function(i: int) -> None:  # also swaps the list of KPIs of the trend control
        dash.function.value = functions[i % len(functions)]

    def naive_function(i: int) -> None:
        dashboard.quarterly_kpis(company)
        move_function(i)

    def move_company(i: int) -> None:  # also swaps the list of quarters and of KPIs
        dash.company.value = names[i % len(names)]

    def naive_company(i: int) -> None:
        dashboard.quarterly_kpis(company)
        move_company(i)

    def move_threshold(i: int) -> None:
        threshold.threshold.value = 30 + i % 50

    def naive_threshold(i: int) -> None:
        funnel.mql_threshold_tradeoff(company.leads, company.opportunities, range(101))
        move_threshold(i)

    def move_simulator(i: int) -> None:
        simulator.leads.value = 500 + 50 * (i % 40)

    def naive_simulator(i: int) -> None:
        funnel.within_hour_rates(company.leads, company.opportunities)
        move_simulator(i)

    def move_planner(i: int) -> None:
        planner.target.value = 1_000_000 + 50_000 * (i % 40)

    def naive_planner(i: int) -> None:
        funnel.observed_rates(company.leads, company.opportunities)
        move_planner(i)

    def move_capacity(i: int) -> None:
        capacity.ramp.value = 15 * (i % 24)

    def naive_capacity(i: int) -> None:  # the year's bookings summed from the raw deals on every move
        won = company.opportunities[company.opportunities["outcome"] == "won"]
        won.loc[won["closed_at"].dt.year == 2025, "amount"].sum()
        move_capacity(i)

    def move_skills(i: int) -> None:
        skills.ratings["negotiation"].value = 1 + i % 5

    def move_sorter(i: int) -> None:
        sorter.choices[0].value = ("marketing", "sales")[i % 2]
        sorter.check.click()

    return {
        "role sorter (01)": (move_sorter, None),
        "KPI dashboard (02): quarter": (move_dash, naive_dash),
        "KPI dashboard (02): function": (move_function, naive_function),
        "KPI dashboard (02): company": (move_company, naive_company),
        "funnel simulator (03)": (move_simulator, naive_simulator),
        "MQL threshold (03)": (move_threshold, naive_threshold),
        "capacity planner (04)": (move_capacity, naive_capacity),
        "SLA planner (05)": (move_planner, naive_planner),
        "skills self-assessment (06)": (move_skills, None),
    }


def bench_apps(label: str, company, companies, repeat: int, target_ms: float):
    rows = []
    for name, (move, naive) in _apps(company, companies).items():
        ours = _median_ms(move, repeat)
        baseline = _median_ms(naive, max(3, repeat // 3)) if naive else None
        rows.append((label, name, ours, baseline, target_ms))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--skip-notebooks", action="store_true")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")

    if not args.skip_notebooks:
        print("\nnotebook                      seconds   x empty notebook   target < 15 s")
        for name, seconds, baseline in bench_notebooks():
            print(f"{name:<30}{seconds:7.1f}   {seconds / baseline:8.1f}            {'ok' if seconds < 15 else 'SLOW'}")
        print(f"(empty notebook: {baseline:.1f} s)")

    companies = {name: load_company(name) for name in ("lumen", "ferro", "bloom")}
    rows = bench_apps(f"lumen, {len(companies['lumen'].leads):,} leads", companies["lumen"], companies, args.repeat,
                      target_ms=50)
    started = time.perf_counter()
    big = simulate_company("lumen", f"lumen-{args.leads}", size=args.leads)
    print(f"\n(generated {args.leads:,} leads in {time.perf_counter() - started:.1f} s)")
    # the big company beside the course ones, as the facilitator's dashboard shows it
    rows += bench_apps(f"lumen, {args.leads:,} leads", big, {big.name: big, **companies}, args.repeat, target_ms=300)
    print("\ncompany                app                             recompute ms   naive ms   naive / ours   target")
    for label, name, ours, baseline, target in rows:
        naive = f"{baseline:9.1f}   {baseline / ours:10.1f}" if baseline else f"{'—':>9}   {'—':>10}"
        print(f"{label:<23}{name:<32}{ours:9.1f}   {naive}     < {target:g} ms {'ok' if ours < target else 'SLOW'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
