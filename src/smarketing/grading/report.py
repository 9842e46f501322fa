"""What grading found, for the instructor: each submission's problems in words, the class's scores per graded
cell, and the report (an HTML page with charts that opens offline, the scores as CSV, the problems as JSON)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import nbformat
import pandas as pd

from smarketing.grading.collect import Submission, grade_cells
from smarketing.grading.preprocessors import KERNEL_DIED, NOT_RUN
from smarketing.grading.tamper import tampering
from smarketing.messages import _

# Errors that are a verdict, not a problem: a check not passed, a task not attempted, a hidden test failed.
VERDICTS = ("NotYetCorrect", "NotAttempted", "NotImplementedError", "AssertionError", NOT_RUN)


def find_problems(submission: Submission, release: nbformat.NotebookNode, source: nbformat.NotebookNode,
                  graded: nbformat.NotebookNode, cell_timeout: int) -> None:
    """Say what was wrong with a submission: deleted or edited cells, errors, timeouts, a dead kernel, and
    code that may tamper with the checks."""
    from nbgrader import utils

    handed_in_notebook = nbformat.read(submission.path, as_version=4)
    handed_in = grade_cells(handed_in_notebook)
    originals = grade_cells(source)
    for grade_id, cell in grade_cells(release).items():
        nbgrader = cell.metadata["nbgrader"]
        if grade_id not in handed_in:
            if nbgrader.get("locked"):
                message = _("cell {id} was deleted; the grader put it back.", id=grade_id)
            elif nbgrader.get("grade"):
                message = _("cell {id} was deleted; the grader put back an empty one.", id=grade_id)
            else:
                message = _("answer cell {id} was deleted; its task earns no points.", id=grade_id)
            submission.problems.append(message)
            continue
        # A locked cell is intact when it is the released text (or the instructor's source, hidden tests and all).
        intact = {nbgrader.get("checksum")}
        if grade_id in originals:
            intact.add(utils.compute_checksum(originals[grade_id]))
        if nbgrader.get("locked") and utils.compute_checksum(handed_in[grade_id]) not in intact:
            submission.problems.append(_("locked cell {id} was edited; the grader restored the original.",
                                         id=grade_id))
    for cell in graded.cells:
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        where = cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id") or _("an ungraded cell")
        if any(o.get("ename") == "CellTimeoutError" for o in errors):  # also shows a KeyboardInterrupt
            if any(o.get("ename") == NOT_RUN for c in graded.cells for o in c.get("outputs", [])):
                submission.problems.append(_(
                    "{where} ran longer than {seconds} s and ignored the interrupt, so its kernel was stopped; the "
                    "cells after it did not run and earn no points.", where=where, seconds=cell_timeout))
            else:
                submission.problems.append(_("{where} ran longer than {seconds} s and was stopped (an endless "
                                             "loop?).", where=where, seconds=cell_timeout))
            continue
        if any(o.get("ename") == KERNEL_DIED for o in errors):
            submission.problems.append(_("the kernel died in cell {where} (os._exit, a crash, or out of memory?); "
                                         "the cells after it did not run and earn no points.", where=where))
            continue
        for output in errors:
            if output.get("ename") not in VERDICTS:
                submission.problems.append(_("{where} raised {error}: {detail}", where=where,
                                             error=output.get("ename"), detail=str(output.get("evalue"))[:120]))
    for where, found in tampering(handed_in_notebook, release, source).items():
        submission.problems.append(_("possible tampering with the checks in cell {where}: review by hand ({found}).",
                                     where=where, found="; ".join(found[:3])))


def scores_table(submissions: list[Submission]) -> pd.DataFrame:
    """One row per student: total, maximum, each graded cell's points, and the problems found."""
    rows = [{"student": s.student, "score": s.score, "max_score": s.max_score, **s.task_scores,
             "problems": " | ".join(s.problems)} for s in sorted(submissions, key=lambda s: s.student)]
    return pd.DataFrame(rows)


def cell_means(submissions: list[Submission]) -> pd.DataFrame:
    """One row per graded cell, in the gradebook's order: the class's mean points, the cell's points, the share
    of them the class earned (so that a 1-point and a 3-point task compare), and who grades it."""
    table = scores_table(submissions)
    cells = [c for c in table.columns if c not in ("student", "score", "max_score", "problems")]
    most = {cell: max((s.task_max.get(cell, 0.0) for s in submissions), default=0.0) for cell in cells}
    by_hand = set().union(*(s.by_hand for s in submissions)) if submissions else set()
    means = pd.DataFrame({"cell": cells, "mean_points": [float(table[c].mean()) for c in cells],
                          "points": [most[c] for c in cells]})
    means["share_earned"] = (means["mean_points"] / means["points"].where(means["points"] > 0)).fillna(0.0)
    means["graded"] = [_("by hand (0 until graded)") if c in by_hand else _("automatically") for c in cells]
    return means


def write_report(course: Path, assignment: str, submissions: list[Submission]) -> Path:
    """reports/<assignment>.html: the share of each graded cell's points the class earned (an Altair chart,
    inlined so it opens offline), the score distribution, and every problem found."""
    import altair as alt

    table = scores_table(submissions)
    means = cell_means(submissions)
    chart = alt.Chart(means).mark_bar().encode(
        y=alt.Y("cell:N", title=_("graded cell"), sort=None),
        x=alt.X("share_earned:Q", title=_("share of the cell's points the class earned"),
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("graded:N", title=_("graded")),
        tooltip=[alt.Tooltip("cell:N", title=_("cell")),
                 alt.Tooltip("share_earned:Q", title=_("share earned"), format=".0%"),
                 alt.Tooltip("mean_points:Q", title=_("mean points"), format=".2f"),
                 alt.Tooltip("points:Q", title=_("points of the cell"), format="g"),
                 alt.Tooltip("graded:N", title=_("graded"))],
    ).properties(title=_("{name}: points per graded cell", name=assignment), width=480)
    totals = alt.Chart(table).mark_bar().encode(
        x=alt.X("score:Q", bin=alt.Bin(maxbins=20), title=_("total score (points)")),
        y=alt.Y("count():Q", title=_("students"), axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[alt.Tooltip("count():Q", title=_("students"))],
    ).properties(title=_("Score distribution"), width=480)
    folder = course / "reports"
    folder.mkdir(exist_ok=True)
    chart_file = folder / f"{assignment}-chart.html"
    alt.vconcat(chart, totals).save(chart_file, inline=True)
    problems = table[table["problems"] != ""][["student", "score", "problems"]]
    body = chart_file.read_text(encoding="utf-8")
    listing = problems.to_html(index=False, escape=True) if len(problems) else "<p>" + html.escape(
        _("No problems found.")) + "</p>"
    summary = _("{count} submission(s); mean score {mean:.1f} of {max:g}.", count=len(table),
                mean=table["score"].mean() if len(table) else 0.0,
                max=table["max_score"].max() if len(table) else 0)
    problems, scores = _("Problems"), _("Scores")  # Babel finds no _() inside an f-string
    report = body.replace("<body>", f"<body><h1>{html.escape(assignment)}</h1><p>{html.escape(summary)}</p>"
                          f"<h2>{html.escape(problems)}</h2>{listing}<h2>{html.escape(scores)}</h2>", 1)
    path = folder / f"{assignment}.html"
    path.write_text(report, encoding="utf-8")
    chart_file.unlink()
    table.to_csv(folder / f"{assignment}-scores.csv", index=False)
    (folder / f"{assignment}-problems.json").write_text(json.dumps(
        {s.student: s.problems for s in submissions if s.problems}, indent=2, sort_keys=True), encoding="utf-8")
    return path
