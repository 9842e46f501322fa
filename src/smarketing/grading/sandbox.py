"""The sandbox a submission's kernel runs in: a bubblewrap namespace (Debian's ``bubblewrap``) that sees only
the Python installation and the library (read-only), a read-only copy of the data, and a private scratch
folder of its own; no course folder, no ``solutions/``, no gradebook, no other submission, no network.

The kernel talks to the grader through Unix sockets in its scratch folder (ZeroMQ's ``ipc`` transport), the
only door between the two. It runs in its own PID namespace, so every process it starts, in whatever session,
dies with it; under a memory limit (``RLIMIT_AS``); and under a process limit (a ``pids`` cgroup where the
grader may create one, else ``RLIMIT_NPROC``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import sysconfig
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from smarketing.grading.gradebook import GradingError
from smarketing.messages import _

BWRAP = "bwrap"
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
PIDS_CGROUPS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))  # cgroup v1's controller, or v2's root


def available() -> bool:
    """Whether this machine can sandbox a kernel: bubblewrap installed and allowed to make namespaces."""
    if shutil.which(BWRAP) is None:
        return False
    import subprocess

    probe = subprocess.run([BWRAP, "--ro-bind", "/", "/", "--unshare-all", "--unshare-user", "--die-with-parent",
                            "--", "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


def require() -> None:
    """Refuse to grade without a sandbox, saying how to get one."""
    if not available():
        raise GradingError(_("Grading runs each learner's notebook in a sandbox, and this machine has none: install "
                             "bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap) and allow user namespaces, "
                             "or grade on the course's JupyterHub. For a class you trust completely, --no-sandbox "
                             "grades without one (a notebook can then read the hidden tests and change grades)."))


def _python_folders() -> list[str]:
    """What the kernel's Python needs to read: the environment, the interpreter it was made from, and the
    folders of packages installed in editable mode (the course's own src/)."""
    folders = {sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parents[1])}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        folders.add(sysconfig.get_paths()[key])
    import smarketing

    folders.add(str(Path(smarketing.__file__).resolve().parents[1]))  # src/ of an editable install, or site-packages
    return sorted(folders)


@dataclass
class Sandbox:
    """One kernel's sandbox: its scratch folder and limits. ``data`` is mounted read-only at the same path."""

    data: Path
    memory_bytes: int = 4 * 1024**3
    processes: int = 256
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="smarketing-kernel-")))
    cgroup: Path | None = None

    def __post_init__(self) -> None:
        self.scratch.chmod(0o700)
        (self.scratch / "home").mkdir()
        (self.scratch / "work").mkdir()
        self.cgroup = self._make_cgroup()

    def _make_cgroup(self) -> Path | None:
        """A pids cgroup of its own, where the grader may create one (root on cgroup v1 or v2): the kernel's
        processes count against ``processes`` wherever they fork. None elsewhere: RLIMIT_NPROC stands in."""
        for root in PIDS_CGROUPS:
            if not (root / "cgroup.procs").exists() or not os.access(root, os.W_OK):
                continue
            if root.name != "pids" and "pids" not in (root / "cgroup.controllers").read_text(errors="ignore"):
                continue
            group = root / f"smarketing-{uuid.uuid4().hex[:12]}"
            try:
                group.mkdir()
                (group / "pids.max").write_text(str(self.processes))
            except OSError:
                with contextlib.suppress(OSError):
                    group.rmdir()
                continue
            return group
        return None

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` (the kernel's) as run in the sandbox."""
        data = str(self.data.resolve())
        bind = []
        for folder in SYSTEM_FOLDERS:
            if Path(folder).exists():
                bind += ["--ro-bind", folder, folder]
        for folder in _python_folders():
            if Path(folder).exists():
                bind += ["--ro-bind", folder, folder]
        scratch = str(self.scratch)
        environment = {"HOME": f"{scratch}/home", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
                       "LANG": "C.UTF-8", "SMARKETING_DATA": data, "SMARKETING_GRADING": "1",
                       "IPYTHONDIR": f"{scratch}/home/.ipython", "MPLCONFIGDIR": f"{scratch}/home/.matplotlib",
                       "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": "/tmp",
                       # the edition's language, for what the learner's own calls of the library print
                       "SMARKETING_LANG": os.environ.get("SMARKETING_LANG", "en")}
        sandboxed = [BWRAP, "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--die-with-parent",
                     "--new-session", "--clearenv",
                     "--tmpfs", "/tmp", *bind, "--ro-bind", data, data, "--bind", scratch, scratch,
                     "--proc", "/proc", "--dev", "/dev", "--chdir", f"{scratch}/work"]
        for name, value in environment.items():
            sandboxed += ["--setenv", name, value]
        limits = ["prlimit", f"--as={self.memory_bytes}"]
        if self.cgroup is None:
            limits.append(f"--nproc={self.processes}")
        prefix = []
        if self.cgroup is not None:  # join the cgroup before anything of the learner's runs
            prefix = ["sh", "-c", f'echo $$ > "{self.cgroup}/cgroup.procs" && exec "$@"', "sandbox"]
        return [*prefix, *limits, "--", *sandboxed, "--", *command]

    def close(self) -> None:
        """Kill whatever is left of the kernel's processes and remove the scratch folder."""
        if self.cgroup is not None:
            with contextlib.suppress(OSError):
                for pid in (self.cgroup / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError, ValueError):
                        os.kill(int(pid), signal.SIGKILL)
            for _attempt in range(50):
                with contextlib.suppress(OSError):
                    self.cgroup.rmdir()
                    break
                import time

                time.sleep(0.1)
        shutil.rmtree(self.scratch, ignore_errors=True)


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs in :attr:`sandbox` and talks over Unix sockets in its scratch folder."""

    def __init__(self, sandbox: Sandbox, **kwargs) -> None:
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", str(sandbox.scratch / "kernel"))
        super().__init__(**kwargs)
        self.sandbox = sandbox
        self.connection_file = str(sandbox.scratch / "kernel.json")

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return self.sandbox.wrap(super().format_kernel_cmd(extra_arguments))

    @property
    def kernel_spec(self):  # noqa: ANN201 - jupyter_client's KernelSpec
        """The kernel's spec, interrupted by message: a signal to the launcher would not cross into the
        sandbox's own session, so a cell that runs too long could not be stopped."""
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec
