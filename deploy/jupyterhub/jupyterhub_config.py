"""JupyterHub for one course on one machine: real Unix users, nbgrader's folder exchange, and the formgrader
as a hub service run by the course's grading account, which every instructor of the course may open.

Run as root (the hub starts each learner's server as that learner): ``jupyterhub -f deploy/jupyterhub/
jupyterhub_config.py``, after the set-up in deploy/README.md. Settings come from the environment, so that the
file needs no edit (and the end-to-end test runs this very file):

    SMARKETING_COURSE_ID      the course id, as in nbgrader_config.py (default smarketing-lab)
    SMARKETING_GRADER         the Unix account that owns the course folder and runs the formgrader
                              (default grader-<course id>)
    SMARKETING_COURSE_DIR     the course folder, a clone of the repository (default ~grader/<course id>)
    SMARKETING_INSTRUCTORS    instructors' user names, separated by spaces or commas
    SMARKETING_LEARNERS       learners' user names (or leave it empty and manage users in the admin page)
    SMARKETING_FORMGRADER_PORT  the local port of the formgrader service (default 9999)

Log-in is the machine's own (PAM) by default; LTI 1.3 from the LMS is in deploy/README.md.
"""

import os
import pwd
import re
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file


def _names(variable: str) -> list[str]:
    return [name for name in re.split(r"[\s,]+", os.environ.get(variable, "")) if name]


course = os.environ.get("SMARKETING_COURSE_ID", "smarketing-lab")
grader = os.environ.get("SMARKETING_GRADER", f"grader-{course}")
instructors, learners = _names("SMARKETING_INSTRUCTORS"), _names("SMARKETING_LEARNERS")
port = int(os.environ.get("SMARKETING_FORMGRADER_PORT", "9999"))
try:
    course_dir = os.environ.get("SMARKETING_COURSE_DIR") or str(Path(pwd.getpwnam(grader).pw_dir) / course)
except KeyError:  # no such account yet: the hub starts, and the service fails with a clear log line
    course_dir = f"/home/{grader}/{course}"
# The servers run the Python this hub runs with (the course's virtual environment), not the first on the PATH.
singleuser = shutil.which("jupyterhub-singleuser", path=str(Path(sys.executable).parent)) or "jupyterhub-singleuser"

c.Spawner.cmd = [singleuser]
c.Spawner.default_url = "/lab"
if instructors or learners:
    c.Authenticator.allowed_users = set(instructors + learners)

# nbgrader's convention: instructors of a course are the group formgrade-<course>, its learners nbgrader-<course>.
c.JupyterHub.load_groups = {
    f"formgrade-{course}": {"users": instructors},
    f"nbgrader-{course}": {"users": learners},
}
c.JupyterHub.load_roles = [
    {   # instructors open the course's formgrader, and nobody else does
        "name": f"formgrade-{course}",
        "groups": [f"formgrade-{course}"],
        "scopes": [f"access:services!service={course}", "list:services", f"read:services!service={course}"],
    },
    {   # learners' servers may see that the course exists (the course list of the Assignments tab)
        "name": f"nbgrader-{course}",
        "groups": [f"nbgrader-{course}"],
        "scopes": ["list:services", f"read:services!service={course}"],
    },
    {   # a server's token carries its owner's permissions: how the Assignments tab reaches the hub's API
        "name": "server",
        "scopes": ["inherit"],
    },
]
# The formgrader: a Jupyter server of the grading account, in the course folder, whose nbgrader_config.py
# names the gradebook (PostgreSQL for a class). The service's name is the course id, as nbgrader expects.
c.JupyterHub.services = [
    {
        "name": course,
        "url": f"http://127.0.0.1:{port}",
        "command": [singleuser, "--ServerApp.default_url=/formgrader"],
        "user": grader,
        "cwd": course_dir,
        "environment": {"JUPYTERHUB_DEFAULT_URL": "/formgrader"},
        "oauth_no_confirm": True,
    },
]
# Stop every learner's server with the hub: a restart leaves no orphan kernels behind.
c.JupyterHub.cleanup_servers = True
