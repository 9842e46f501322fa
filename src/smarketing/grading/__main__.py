"""The worker of :func:`smarketing.grading.batches.grade_parcel`:
``python -m smarketing.grading <workdir> <assignment> <cell timeout> [--no-sandbox]``, on an unpacked parcel.
Its last line on stdout is nbgrader's result per student, as JSON."""

import json
import sys
from pathlib import Path

from smarketing.grading.batches import grade_in_this_process

workdir, assignment, timeout = sys.argv[1:4]
sandboxed = "--no-sandbox" not in sys.argv[4:]
print(json.dumps(grade_in_this_process(Path(workdir), assignment, int(timeout), sandboxed)))
