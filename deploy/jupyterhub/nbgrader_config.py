"""nbgrader's settings for everybody on the machine: copy to /etc/jupyter/nbgrader_config.py.

Learners and instructors must agree on the course id and the exchange. The gradebook's address (with its
password) is not set here, where every learner could read it, but in the course folder's own
nbgrader_config.py, which only the grading account reads (its home folder is 0700).
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "smarketing-lab"
# Created once by root: `install -d -m 1777 /srv/nbgrader/exchange`. Everybody may write there (the sticky bit
# keeps the top folder's entries to their owners); nbgrader makes the course's inbound/ writable but not
# listable, and names each submission with a random suffix, so a learner can neither find nor touch another's.
c.Exchange.root = "/srv/nbgrader/exchange"
