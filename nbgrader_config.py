"""nbgrader settings: sources (with solutions and hidden tests) in solutions/, learner releases in exercises/."""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "smarketing-lab"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
