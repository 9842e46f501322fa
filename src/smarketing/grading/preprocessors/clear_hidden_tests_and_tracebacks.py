"""nbgrader's ClearHiddenTests for feedback pages, which also shrinks the tracebacks that quote hidden tests."""

from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests
from traitlets import List, Unicode


class ClearHiddenTestsAndTracebacks(ClearHiddenTests):
    """Cut the hidden tests out of an autograded notebook's cells, as nbgrader does, and shrink the traceback of
    an error raised by a cell that held them to the error's name and message: a traceback quotes the lines
    that raised, and so the hidden test itself. The self-checks' own errors keep theirs: their message is
    the feedback the learner should read, and it never quotes a test."""

    kept_tracebacks = List(
        Unicode(), default_value=["NotYetCorrect", "NotAttempted"],
        help="Error names whose traceback is kept in the feedback (the self-checks' own verdicts).",
    ).tag(config=True)

    # nbconvert's HTML exporter configures every step's display_data_priority; nbgrader declares the trait
    # without config=True, so traitlets warned on each feedback page that the option was not recognized.
    display_data_priority = List(Unicode(), default_value=["text/html", "application/pdf", "text/latex", "image/svg+xml",
                                                           "image/png", "image/jpeg", "text/plain"]).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if self._remove_hidden_test_region(cell) and cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and output.get("ename") not in self.kept_tracebacks:
                    output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
        return cell, resources
