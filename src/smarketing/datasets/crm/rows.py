"""What an import keeps, sets aside and refuses: the rows of an export that cannot be used, each kind with its
file, column and lines, for the note every notebook shows; or, under --strict, as problems that refuse it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from smarketing.datasets.crm.read import Export
from smarketing.messages import _
from smarketing.schema import Problem

UNUSABLE_SHARE = 0.5  # more of a file's rows than this set aside: the export itself is the problem
SHOWN_LINES = 12  # lines listed in a note; the rest are counted


class Rows:
    """What an import keeps, sets aside and refuses. Ordinary mess (a row without an ID, a date that cannot be
    read or cannot be true, a negative amount) is set aside with its lines and the import goes on; with
    ``strict`` every such row refuses the import instead, as a problem."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.problems: list[Problem] = []
        self.aside: list[dict[str, Any]] = []

    def set_aside(self, export: Export, mask: pd.Series, column: str, reason: str, *, kept: bool = False) -> pd.Series:
        """Record the rows ``mask`` selects: left out (or, if ``kept``, kept with the value blanked) with
        ``reason``; a problem instead under --strict. Returns ``mask``."""
        mask = pd.Series(np.asarray(mask, dtype=bool), index=export.frame.index)
        if mask.any():
            lines = export.lines_of(mask)
            if self.strict:
                self.problems.append(Problem(export.path.name, column, lines, reason))
            else:
                self.aside.append({"file": export.path.name, "column": column, "reason": reason,
                                   "lines": list(lines), "kept": kept})
        return mask

    def settled(self) -> list[dict[str, Any]]:
        """What was set aside, each row once: a row left out for one reason is not also listed as kept without
        a value (a deal with neither a date nor an amount is left out, and does not count in win rates)."""
        left_out = {(a["file"], line) for a in self.aside if not a["kept"] for line in a["lines"]}
        settled = []
        for aside in self.aside:
            lines = [n for n in aside["lines"] if not aside["kept"] or (aside["file"], n) not in left_out]
            if lines:
                settled.append({**aside, "lines": lines})
        return settled

    def notes(self) -> list[str]:
        """One sentence per kind of row set aside, for every notebook to show."""
        def shown(lines: list[int]) -> str:
            more = len(lines) - SHOWN_LINES
            return ", ".join(map(str, lines[:SHOWN_LINES])) + (_(" and {more} more", more=more) if more > 0 else "")

        return [(_("{file}, column '{column}': kept {count} row(s) without this value ({reason}); line(s) {lines}.",
                   file=a["file"], column=a["column"], count=len(a["lines"]), reason=a["reason"], lines=shown(a["lines"]))
                 if a["kept"] else
                 _("{file}, column '{column}': set aside {count} row(s) ({reason}); line(s) {lines}.",
                   file=a["file"], column=a["column"], count=len(a["lines"]), reason=a["reason"], lines=shown(a["lines"])))
                for a in self.settled()]

    def refuse_if_unusable(self, export: Export, dropped: pd.Series, what: str) -> None:
        """A problem when more than half of a file's rows are set aside: then the file, not its rows, is wrong."""
        if len(dropped) and dropped.mean() > UNUSABLE_SHARE:
            reasons = "; ".join(sorted({a["reason"] for a in self.aside if a["file"] == export.path.name
                                        and not a["kept"]}))
            self.problems.append(Problem(export.path.name, "", (), _(
                "{count} of its {total} {what} cannot be used ({reasons}): more than half, so the export itself needs "
                "fixing (the wrong columns, or an export of another kind?). Export it again with these columns filled.",
                count=int(dropped.sum()), total=len(dropped), what=what, reasons=reasons)))
