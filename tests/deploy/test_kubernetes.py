"""deploy/ without a cluster or docker: the Zero to JupyterHub values, the learners' image, and the guide.

The values file parses and opens JupyterLab on the course's image with no exchange volume (every server on the
chart runs as the same Unix user, so nbgrader's folder exchange cannot tell learners apart); the Dockerfile
never copies solutions/, installs from the hashed lock, carries the datasets and runs as a user other than root;
deploy/README.md links only to files that exist and names every setting the hub's configuration reads and
every cluster `smarketing grade --cluster` starts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from smarketing.grading.cluster import CLUSTERS
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
VALUES = DEPLOY / "kubernetes" / "values.yaml"
DOCKERFILE = DEPLOY / "kubernetes" / "Dockerfile"
GUIDE = DEPLOY / "README.md"
HUB_CONFIG = DEPLOY / "jupyterhub" / "jupyterhub_config.py"
# The chart's own keys under singleuser (jupyterhub/values.schema.yaml of zero-to-jupyterhub-k8s): a misspelt
# key would otherwise be ignored, or refused only at `helm upgrade`.
SINGLEUSER_KEYS = {
    "podNameTemplate", "extraTolerations", "nodeSelector", "extraNodeAffinity", "extraPodAffinity",
    "extraPodAntiAffinity", "networkTools", "cloudMetadata", "networkPolicy", "events", "extraAnnotations",
    "extraLabels", "extraFiles", "extraEnv", "lifecycleHooks", "initContainers", "extraContainers",
    "allowPrivilegeEscalation", "uid", "fsGid", "serviceAccountName", "storage", "image", "startTimeout", "cpu",
    "memory", "extraResource", "cmd", "defaultUrl", "extraPodConfig", "profileList",
}
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
ENV_READ = re.compile(r"os\.environ\.get\(\s*[\"'](SMARKETING_[A-Z0-9_]+)[\"']")
ENV_NAMED = re.compile(r"[\"'](SMARKETING_[A-Z0-9_]+)[\"']")  # also the names passed on, as to _names(...)


# --- helpers -------------------------------------------------------------------------------------------------

def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined, comments dropped."""
    joined, current = [], ""
    for line in dockerfile.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1].rstrip() + " "
            continue
        joined.append(current + stripped)
        current = ""
    if current:
        joined.append(current)
    result = []
    for text in joined:
        keyword, _, arguments = text.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    return result


def copied_sources(arguments: str) -> list[str]:
    """The sources of a COPY or ADD (all arguments but the last, without --flags), in shell or JSON form."""
    if arguments.startswith("["):
        import json

        parts = json.loads(arguments)
    else:
        parts = [p for p in arguments.split() if not p.startswith("--")]
    return parts[:-1]


def relative_links(markdown: str) -> list[str]:
    """The targets of the markdown links that point into the repository (no scheme, not a bare anchor)."""
    return [target for target in LINK.findall(markdown)
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) and not target.startswith("#")]


def missing_links(markdown: str, folder: Path) -> list[str]:
    """The relative links of ``markdown`` (a file in ``folder``) whose file is not in the repository."""
    missing = []
    for target in relative_links(markdown):
        path = (folder / target.split("#", 1)[0]).resolve()
        inside = path == ROOT or ROOT in path.parents
        if not inside or not path.exists():
            missing.append(target)
    return missing


def strings_under(node, key_matches, inside: bool = False) -> list[str]:
    """Every string below a mapping key that ``key_matches`` (and every such key itself), anywhere in ``node``."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            hit = inside or key_matches(str(key))
            if hit:
                found.append(str(key))
            found += strings_under(value, key_matches, hit)
    elif isinstance(node, list):
        for item in node:
            found += strings_under(item, key_matches, inside)
    elif inside and isinstance(node, str):
        found.append(node)
    return found


def volume_or_mount(key: str) -> bool:
    return bool(re.search(r"volume|mount|storage", key, re.I))


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


# --- values.yaml ---------------------------------------------------------------------------------------------

def test_the_values_open_jupyterlab_on_the_course_image(values):
    singleuser = values["singleuser"]
    assert singleuser["image"]["name"] and str(singleuser["image"]["tag"])
    assert singleuser["defaultUrl"] == "/lab"
    assert singleuser["storage"]["type"] == "dynamic"  # one volume per learner
    assert set(singleuser) <= SINGLEUSER_KEYS, set(singleuser) - SINGLEUSER_KEYS


def test_the_values_mount_no_exchange(values):
    mounted = strings_under(values, volume_or_mount)
    assert mounted, "the values name no storage at all: the check below would pass on nothing"
    assert not [s for s in mounted if "exchange" in s.lower()], mounted
    assert "exchange" not in str(values).lower()  # nor anywhere else, e.g. in extraFiles or extraEnv


def test_the_exchange_check_finds_a_shared_volume():
    shared = {"singleuser": {"storage": {"extraVolumes": [{"name": "nbgrader-exchange", "persistentVolumeClaim": {
        "claimName": "shared"}}], "extraVolumeMounts": [{"name": "x", "mountPath": "/srv/nbgrader/exchange"}]}}}
    mounted = strings_under(shared, volume_or_mount)
    assert "nbgrader-exchange" in mounted and "/srv/nbgrader/exchange" in mounted


def test_the_deploy_files_hold_no_outside_address():
    for path in (VALUES, DOCKERFILE):
        assert "://" not in path.read_text(encoding="utf-8"), path


# --- Dockerfile ----------------------------------------------------------------------------------------------

def test_the_image_never_copies_solutions(dockerfile):
    copies = [arguments for keyword, arguments in dockerfile if keyword in ("COPY", "ADD")]
    assert copies
    for arguments in copies:
        sources = copied_sources(arguments)
        assert not any("solutions" in source for source in sources), arguments
        # the whole build context (or a wildcard over it) would carry solutions/ without naming it
        assert not any(source.rstrip("/") in (".", "", "*", "./*") for source in sources), arguments


def test_the_image_installs_from_the_hashed_lock_and_carries_the_data(dockerfile):
    runs = [arguments for keyword, arguments in dockerfile if keyword == "RUN"]
    assert any("pip install" in run and "--require-hashes" in run and re.search(r"-r \S*requirements/lock\.txt", run)
               for run in runs), runs
    sources = [s for keyword, arguments in dockerfile if keyword in ("COPY", "ADD") for s in copied_sources(arguments)]
    assert any(s.rstrip("/") == "datasets" for s in sources), sources
    assert any(s.rstrip("/") == "src" for s in sources), sources  # src/smarketing/data links to ../../datasets
    assert any("pip install" in run and "--no-deps" in run and not re.search(r"\s-e\s", run) for run in runs), runs


def test_the_image_runs_as_a_user_other_than_root(dockerfile):
    users = [arguments for keyword, arguments in dockerfile if keyword == "USER"]
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0"), users[-1]
    assert dockerfile[0][0] == "FROM" and dockerfile[0][1] == "python:3.11-slim-bookworm"
    assert dockerfile[-1] == ("CMD", '["jupyterhub-singleuser"]')


def test_the_dockerfile_reader_sees_a_forbidden_copy():
    bad = instructions("FROM x\n# comment\nCOPY --chown=1000 \\\n    solutions/ /opt/solutions/\nCOPY . /src\n")
    assert bad == [("FROM", "x"), ("COPY", "--chown=1000 solutions/ /opt/solutions/"), ("COPY", ". /src")]
    assert copied_sources(bad[1][1]) == ["solutions/"] and copied_sources(bad[2][1]) == ["."]
    assert copied_sources('["datasets/", "/src/datasets/"]') == ["datasets/"]


# --- deploy/README.md ----------------------------------------------------------------------------------------

def test_the_guide_links_only_to_files_in_the_repository(guide):
    assert relative_links(guide), "the guide links to none of the repository's files"
    assert missing_links(guide, GUIDE.parent) == []


def test_the_link_check_finds_a_missing_file():
    text = "[a](jupyterhub/jupyterhub_config.py) [b](kubernetes/nothing.yaml#x) [c](../../outside.md) " \
           "[d](https://example.org/x) [e](#a-heading)"
    assert relative_links(text) == ["jupyterhub/jupyterhub_config.py", "kubernetes/nothing.yaml#x", "../../outside.md"]
    assert missing_links(text, GUIDE.parent) == ["kubernetes/nothing.yaml#x", "../../outside.md"]


def test_the_guide_names_every_setting_the_hub_reads(guide):
    code = HUB_CONFIG.read_text(encoding="utf-8")
    read = set(ENV_READ.findall(code))
    assert read, f"no os.environ.get(\"SMARKETING_...\") in {HUB_CONFIG}: the check would pass on nothing"
    named = read | set(ENV_NAMED.findall(code))
    assert not [name for name in sorted(named) if not re.search(rf"\b{name}\b", guide)]


def test_the_guide_names_every_cluster(guide):
    assert CLUSTERS
    assert not [name for name in CLUSTERS if f"--cluster {name}" not in guide]
    assert "--scheduler tcp://" in guide
