"""nbgrader settings: sources (with solutions and hidden tests) in solutions/, learner releases in exercises/.

`smarketing release` and `smarketing grade` read this file, and so does nbgrader run alone (`nbgrader
autograde`, `nbgrader generate_feedback`, the formgrader): both get the course's own steps below.
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "smarketing-lab"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# After get_config, as nbgrader reads this file.
from smarketing.grading.preprocessors import autograde_preprocessors, feedback_preprocessors  # noqa: E402

# nbgrader's autograde steps with JudgedExecute for Execute: each kernel in a bubblewrap sandbox, the hidden
# tests judged outside it on the learner's answers as data, and a dying kernel that costs only the cells from
# there on. Where there is no bubblewrap, grading refuses to start (c.JudgedExecute.sandboxed = False grades a
# class you trust without a sandbox).
c.Autograde.autograde_preprocessors = autograde_preprocessors()
# nbgrader's feedback steps with ClearHiddenTestsAndTracebacks after GetGrades: a learner who reads their
# feedback must not learn the tests that a later class is graded with.
c.GenerateFeedback.preprocessors = feedback_preprocessors()
