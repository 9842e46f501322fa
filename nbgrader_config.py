"""nbgrader settings: sources (with solutions and hidden tests) in solutions/, learner releases in exercises/."""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "smarketing-lab"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# Feedback without the hidden tests, for `nbgrader generate_feedback` as for `smarketing grade`: a learner
# who reads their feedback must not learn the tests that a later class is graded with.
from smarketing.grading import feedback_preprocessors  # noqa: E402 - after get_config, as nbgrader reads it

c.GenerateFeedback.preprocessors = feedback_preprocessors()
