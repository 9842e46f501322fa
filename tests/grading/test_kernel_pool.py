"""Kernels started one notebook ahead (smarketing.grading.kernel_pool): each learner gets a fresh kernel in a
fresh sandbox, warmed with the course's imports only; what one learner's kernel did never reaches the next;
a kernel that died while waiting, or was started for other settings, is never handed out."""

from __future__ import annotations

import os
import signal
import time

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_core.utils import run_sync

from smarketing.grading import kernel_pool
from tests.conftest import ROOT

pytestmark = pytest.mark.sandbox


@pytest.fixture()
def pool():
    """A pool of its own, its kernel started ahead stopped afterwards."""
    started = kernel_pool.KernelPool()
    yield started
    started.close()


def _settings(warm_up: str = "import math") -> kernel_pool.Settings:
    return kernel_pool.Settings(data=ROOT / "datasets", memory_bytes=4 * 1024**3, processes=256,
                                kernel_name="python3", warm_up=warm_up)


def _run(started: kernel_pool.Started, code: str) -> tuple[str, int | None]:
    """What ``code`` prints in the kernel, and the execution count it ran as."""
    client = BlockingKernelClient()
    client.load_connection_info(started.manager.get_connection_info())
    client.start_channels()
    printed = []
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(code, timeout=60, output_hook=lambda m: printed.append(
            m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
    finally:
        client.stop_channels()
    return "".join(printed), reply["content"].get("execution_count")


def test_each_learner_gets_a_fresh_kernel_that_knows_nothing_of_the_last(pool):
    first = pool.take(_settings())
    printed, count = _run(first, "import os, sys\nsecret = 42\nopen('left-behind', 'w').write('x')\n"
                                 "open(os.path.expanduser('~/left-behind'), 'w').write('x')\n"
                                 "print(os.getpid(), 'math' in sys.modules, os.getcwd())")
    assert count == 1  # the warm-up ran silently: the learner's first cell is still [1]
    first_pid, warmed, first_cwd = printed.split()
    assert warmed == "True"  # the course's imports were loaded ahead
    first.stop()

    second = pool.take(_settings())
    printed, _count = _run(second, "import os\nprint(os.getpid(), 'secret' in globals(), "
                                   "os.path.exists('left-behind'), os.path.exists(os.path.expanduser("
                                   "'~/left-behind')), os.getcwd())")
    pid, has_secret, file_here, file_home, cwd = printed.split()
    assert (has_secret, file_here, file_home) == ("False", "False", "False")
    assert cwd != first_cwd  # its own sandbox's scratch folder, not the last learner's
    assert second.box.scratch != first.box.scratch and not first.box.scratch.exists()
    second.stop()


def test_a_kernel_that_died_while_waiting_is_replaced(pool):
    pool.take(_settings()).stop()
    _settings_ahead, future = pool._next
    ahead = future.result(timeout=120)
    os.killpg(os.getpgid(ahead.manager.provisioner.process.pid), signal.SIGKILL)  # as the OOM killer would
    for _wait in range(100):
        if not run_sync(ahead.manager.is_alive)():
            break
        time.sleep(0.1)
    taken = pool.take(_settings())
    assert taken is not ahead
    assert _run(taken, "print(6 * 7)")[0].strip() == "42"
    taken.stop()


def test_a_kernel_started_for_other_settings_is_not_handed_out(pool):
    pool.take(_settings("import math")).stop()
    _settings_ahead, future = pool._next
    ahead = future.result(timeout=120)
    taken = pool.take(_settings("import json"))
    assert taken is not ahead
    assert not ahead.box.scratch.exists()  # the unused kernel was stopped with its sandbox
    assert _run(taken, "import sys\nprint('json' in sys.modules)")[0].strip() == "True"
    taken.stop()


def test_the_warm_up_is_the_assignments_own_imports_from_its_source():
    from smarketing.grading import batches, gradebook

    warm_up = batches._imports(gradebook.folders(ROOT), "03_funnel_handoff")
    assert warm_up.splitlines()[0] == "import math"
    assert "from smarketing import funnel, kpis, load_company" in warm_up
    assert "load_company(" not in warm_up.replace("import funnel, kpis, load_company", "")  # imports only, no data


def test_a_kernel_writes_nothing_to_the_graders_own_output(pool, capfd):
    """The worker reads its progress from its stdout: a learner's raw write to a file descriptor must not land
    there (nor fill the grader's log)."""
    started = pool.take(_settings())
    _run(started, "import os\nos.write(1, b'smarketing-graded:mallory\\n')\nos.write(2, b'noise\\n')")
    started.stop()
    pool.close()  # what the spare kernel writes as it stops counts too
    out, err = capfd.readouterr()
    assert "smarketing-graded:mallory" not in out and "noise" not in err
    assert "To connect another client" not in out + err  # nor the kernel's own start-up banner


def test_a_slow_warm_up_never_costs_the_learner_their_kernel(monkeypatch):
    monkeypatch.setattr(kernel_pool, "WARM_UP_SECONDS", 1)
    started = kernel_pool.start(_settings("import time\ntime.sleep(3)"))  # a machine too loaded to finish in time
    try:
        assert _run(started, "print(6 * 7)")[0].strip() == "42"  # it runs once the warm-up is done
    finally:
        started.stop()


def test_a_kernel_that_fails_to_start_is_started_again(monkeypatch):
    real, calls = kernel_pool.start, []

    def flaky(settings, config=None):
        calls.append(settings)
        if len(calls) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        return real(settings, config)

    monkeypatch.setattr(kernel_pool, "start", flaky)
    started = kernel_pool.start_with_retry(_settings())
    try:
        assert len(calls) == 2 and _run(started, "print(1 + 1)")[0].strip() == "2"
    finally:
        started.stop()
