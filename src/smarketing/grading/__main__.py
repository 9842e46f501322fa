"""The worker of :func:`smarketing.grading.batches.autograde_batch`:
``python -m smarketing.grading <course> <workdir> <assignment> <cell timeout> [--no-sandbox]``.
Its last line on stdout is nbgrader's result per student, as JSON."""

import json
import sys
from pathlib import Path

from smarketing.grading.batches import grade_in_this_process

course, workdir, assignment, timeout = sys.argv[1:5]
sandboxed = "--no-sandbox" not in sys.argv[5:]
print(json.dumps(grade_in_this_process(Path(course), Path(workdir), assignment, int(timeout), sandboxed)))
