"""A class on one machine, end to end, as deploy/ sets it up: JupyterHub run with deploy/jupyterhub/
jupyterhub_config.py (real Unix accounts, LocalProcessSpawner, the formgrader as a hub service of the grading
account), nbgrader's folder exchange (1777), the system-wide nbgrader_config.py of deploy/, and the course's
gradebook in PostgreSQL.

Three learners fetch, answer and submit through the hub's REST API (their own servers, their own tokens); the
grading account collects and runs ``smarketing grade --cluster local``; the formgrader service and ``nbgrader
export`` read the same scores from PostgreSQL; learners fetch their feedback, which shows no hidden test.
Everything the test made (accounts, processes, the database server, folders) is removed after it. It needs
root to create accounts, and skips, saying so, where it cannot.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from smarketing import grading
from tests.conftest import ROOT
from tests.servers import free_port, start_postgres, unavailable

requests = pytest.importorskip("requests")
pytest.importorskip("jupyterhub", reason="JupyterHub is the optional extra smarketing[hub]")
pytest.importorskip("distributed", reason="Dask is the optional extra smarketing[cluster]")

pytestmark = pytest.mark.sandbox
NAME = "00_start_here"
COURSE = "smarketing-lab"
MARK = "smarketing-lab end-to-end test"  # the accounts' comment: how a later run finds what a killed run left


def _readable_by_others(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def _remove_accounts(names=None) -> None:
    for entry in pwd.getpwall():
        if entry.pw_gecos == MARK and (names is None or entry.pw_name in names):
            subprocess.run(["pkill", "-KILL", "-u", entry.pw_name], capture_output=True)
            subprocess.run(["userdel", "--remove", entry.pw_name], capture_output=True)


def _wait(check, what: str, seconds: float = 90) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            result = check()
            if result:
                return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class Hub:
    """The running hub, as its users and the test's driver service see it."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        response = requests.request(method, f"{self.url}/hub/api{path}", timeout=30,
                                    headers={"Authorization": f"token {token or self.token}"}, **kwargs)
        assert response.status_code < 400, (method, path, response.status_code, response.text[:500])
        return response

    def token_of(self, user: str) -> str:
        return self.api("POST", f"/users/{user}/tokens", json={"note": "end-to-end test"}).json()["token"]

    def start_server(self, user: str) -> None:
        self.api("POST", f"/users/{user}/server")
        _wait(lambda: self.api("GET", f"/users/{user}").json()["servers"].get("", {}).get("ready"),
              f"{user}'s server")


class Learner:
    def __init__(self, hub: Hub, name: str) -> None:
        self.name, self.hub = name, hub
        self.token = hub.token_of(name)
        self.base = f"{hub.url}/user/{name}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(method, f"{self.base}{path}", timeout=120,
                                    headers={"Authorization": f"token {self.token}"}, **kwargs)
        assert response.status_code < 400, (self.name, method, path, response.status_code, response.text[:500])
        return response

    def action(self, verb: str) -> list[dict]:
        return self.call("POST", f"/assignments/{verb}", json={"course_id": COURSE, "assignment_id": NAME}).json()

    def notebook(self) -> nbformat.NotebookNode:
        content = self.call("GET", f"/api/contents/{NAME}/{NAME}.ipynb", params={"content": 1}).json()["content"]
        return nbformat.from_dict(content)

    def save(self, notebook: nbformat.NotebookNode) -> None:
        self.call("PUT", f"/api/contents/{NAME}/{NAME}.ipynb",
                  json={"type": "notebook", "format": "json", "content": notebook})


@pytest.fixture(scope="module")
def class_on_a_hub():
    if os.geteuid() != 0:
        unavailable("the end-to-end hub test creates Unix accounts for its learners, which needs root")
    for tool in ("useradd", "userdel", "runuser", "pkill"):
        if shutil.which(tool) is None:
            unavailable(f"this machine has no {tool}, so the test cannot create and remove its learners' accounts")
    if shutil.which("configurable-http-proxy") is None:
        unavailable("JupyterHub's proxy is not installed (npm install -g configurable-http-proxy)")
    if not (_readable_by_others(ROOT) and _readable_by_others(Path(sys.executable))):
        unavailable(f"the learners' accounts cannot read the repository or its Python ({ROOT}): chmod o+rx its "
                    "folders")
    _remove_accounts()  # what a killed run left behind
    base = Path(tempfile.mkdtemp(prefix="smarketing-hub-"))
    base.chmod(0o755)
    tag = secrets.token_hex(2)
    users = {role: f"smk{tag}{role}" for role in ("grader", "teacher", "ana", "bob", "cai")}
    server = hub_process = None
    try:
        (base / "home").mkdir()
        for user in users.values():
            subprocess.run(["useradd", "--create-home", "--base-dir", base / "home", "--shell", "/bin/bash",
                            "--comment", MARK, "-K", "HOME_MODE=0700", user], check=True, capture_output=True)
        homes = {role: Path(pwd.getpwnam(user).pw_dir) for role, user in users.items()}
        assert all(stat.S_IMODE(h.stat().st_mode) == 0o700 for h in homes.values())  # no learner reads another's

        exchange = base / "exchange"
        exchange.mkdir()
        exchange.chmod(0o1777)
        etc = base / "etc-jupyter"
        etc.mkdir()
        system_config = (ROOT / "deploy" / "jupyterhub" / "nbgrader_config.py").read_text()
        assert '"/srv/nbgrader/exchange"' in system_config
        (etc / "nbgrader_config.py").write_text(system_config.replace('"/srv/nbgrader/exchange"', repr(str(exchange))))
        etc.chmod(0o755)

        server = start_postgres()
        db_url = server.database("smarketing_lab")
        course = homes["grader"] / COURSE
        course.mkdir()
        for part in ("solutions", "exercises"):
            shutil.copytree(ROOT / part, course / part)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        with (course / "nbgrader_config.py").open("a") as config:
            config.write(f"\n# The class's gradebook, readable by the grading account alone.\n"
                         f"c.CourseDirectory.db_url = {db_url!r}\n")
        subprocess.run(["chown", "-R", f"{users['grader']}:", course], check=True)

        env_paths = {"JUPYTER_CONFIG_PATH": str(etc)}
        tools = Path(sys.executable).parent

        def as_grader(*command: str, timeout: int = 900) -> subprocess.CompletedProcess:
            env = {"HOME": str(homes["grader"]), "USER": users["grader"], "LANG": "C.UTF-8",
                   "PATH": f"{tools}:/usr/local/bin:/usr/bin:/bin", **env_paths}
            done = subprocess.run([shutil.which("runuser"), "-u", users["grader"], "--", *command], cwd=course, env=env,
                                  capture_output=True, text=True, timeout=timeout)
            assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])
            return done

        port, token = free_port(), secrets.token_hex(32)
        hub_dir = base / "hub"
        hub_dir.mkdir(mode=0o700)
        (hub_dir / "jupyterhub_config.py").write_text(f"""
c = get_config()
load_subconfig({str(ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py")!r})
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.JupyterHub.db_url = "sqlite:///{hub_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = "{hub_dir / 'cookie_secret'}"
c.ConfigurableHTTPProxy.pid_file = "{hub_dir / 'proxy.pid'}"
c.Spawner.environment = {env_paths!r}
c.JupyterHub.services[0]["environment"].update({env_paths!r})
# The test's driver: creates the users' tokens and starts their servers, as an admin page would.
c.JupyterHub.services.append({{"name": "e2e-driver", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{"name": "e2e-driver", "services": ["e2e-driver"],
                                 "scopes": ["admin:users", "admin:servers", "tokens", "read:services"]}})
""")
        hub_env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}", "SMARKETING_COURSE_ID": COURSE,
                   "SMARKETING_GRADER": users["grader"], "SMARKETING_COURSE_DIR": str(course),
                   "SMARKETING_INSTRUCTORS": users["teacher"],
                   "SMARKETING_LEARNERS": " ".join(users[r] for r in ("ana", "bob", "cai")),
                   "SMARKETING_FORMGRADER_PORT": str(free_port())}
        log = (base / "hub.log").open("w")
        hub_process = subprocess.Popen([tools / "jupyterhub", "-f", hub_dir / "jupyterhub_config.py"], cwd=hub_dir,
                                       env=hub_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        hub = Hub(f"http://127.0.0.1:{port}", token)
        _wait(lambda: requests.get(f"{hub.url}/hub/api/", timeout=5).ok, "the hub")
        yield hub, users, course, as_grader, base
    finally:
        if hub_process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(hub_process.pid, signal.SIGTERM)  # the hub stops the servers and services it started
            try:
                hub_process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(hub_process.pid, signal.SIGKILL)
            proxy_pid = base / "hub" / "proxy.pid"
            if proxy_pid.exists():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(proxy_pid.read_text()), signal.SIGKILL)
        _remove_accounts(set(users.values()))
        if server is not None:
            server.stop()
        if os.environ.get("SMARKETING_KEEP_HUB_LOG"):
            shutil.copy(base / "hub.log", os.environ["SMARKETING_KEEP_HUB_LOG"])
        shutil.rmtree(base, ignore_errors=True)


def test_a_class_on_a_hub_from_release_to_feedback(class_on_a_hub):
    hub, users, course, as_grader, base = class_on_a_hub
    source = nbformat.read(course / "solutions" / NAME / f"{NAME}.ipynb", as_version=4)

    as_grader("nbgrader", "release_assignment", NAME)
    learners = {}
    for role in ("ana", "bob", "cai"):
        hub.start_server(users[role])
        learners[role] = Learner(hub, users[role])
    listed = learners["ana"].call("GET", "/assignments", params={"course_id": COURSE}).json()
    assert any(a["assignment_id"] == NAME and a["status"] == "released" for a in listed["value"]), listed

    answers = [c.metadata["nbgrader"]["grade_id"] for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")]
    for role, chosen in (("ana", None), ("bob", []), ("cai", answers[:1])):
        learner = learners[role]
        learner.action("fetch")
        learner.save(grading.answered(learner.notebook(), source, chosen))  # bob hands in the release untouched
        learner.action("submit")

    as_grader("nbgrader", "collect", NAME)
    graded = as_grader("smarketing", "grade", NAME, "--cluster", "local", "--jobs", "2", "--course", str(course))
    assert f"{users['ana']}:" in graded.stdout, graded.stdout
    assert not list(course.rglob("*.db"))  # every grade went to PostgreSQL, none to a private file

    as_grader("nbgrader", "export", f"--CsvExportPlugin.to={course / 'export.csv'}")
    scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader((course / "export.csv").open())
              if row["assignment"] == NAME}
    assert set(scores) == {users[r] for r in ("ana", "bob", "cai")}
    assert scores[users["ana"]] > scores[users["cai"]] > scores[users["bob"]] == 0

    teacher = hub.token_of(users["teacher"])
    service = f"{hub.url}/services/{COURSE}"
    _wait(lambda: requests.get(f"{service}/formgrader/api/status", timeout=10,
                               headers={"Authorization": f"token {teacher}"}).ok, "the formgrader service", 120)
    seen = requests.get(f"{service}/formgrader/api/submissions/{NAME}", timeout=60,
                        headers={"Authorization": f"token {teacher}"})
    assert seen.ok, seen.text[:500]
    assert {s["student"]: float(s["score"]) for s in seen.json()} == scores  # what the formgrader shows
    denied = requests.get(f"{service}/formgrader/api/submissions/{NAME}", timeout=60, allow_redirects=False,
                          headers={"Authorization": f"token {learners['ana'].token}"})
    assert denied.status_code in (302, 403), denied.status_code  # a learner cannot open the formgrader

    as_grader("nbgrader", "release_feedback", NAME)
    for role, learner in learners.items():
        learner.action("fetch_feedback")
        folders = learner.call("GET", f"/api/contents/{NAME}/feedback").json()["content"]
        assert len(folders) == 1, (role, folders)
        page = learner.call("GET", f"/api/contents/{folders[0]['path']}/{NAME}.html",
                            params={"content": 1, "format": "text", "type": "file"}).json()["content"]
        assert "BEGIN HIDDEN TESTS" not in page and "_ex.recheck" not in page, role
        assert f"{scores[learner.name]:g}" in page, role  # the learner's own score
    shown = json.dumps(learners["bob"].call("GET", f"/api/contents/{NAME}").json())
    assert users["ana"] not in shown  # nothing of another learner in bob's folder
