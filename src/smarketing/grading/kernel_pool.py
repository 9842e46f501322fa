"""Fresh kernels started one notebook ahead: while a learner's notebook runs and is judged, the next learner's
kernel starts in a sandbox of its own and imports the course's library, so that grading does not wait for
it. A kernel serves one notebook and is then stopped with its sandbox: nothing of one learner's kernel
reaches the next one's, and no learner's code ever runs in a kernel before it is theirs (the warm-up is the
course's own imports, from the assignment's source)."""

from __future__ import annotations

import atexit
import contextlib
import logging
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import BlockingKernelClient
from jupyter_core.utils import run_sync

from smarketing.grading import sandbox

WARM_UP_SECONDS = 120
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """What a kernel is started with; a kernel started with other settings is not used."""

    data: Path
    memory_bytes: int
    processes: int
    kernel_name: str
    warm_up: str
    extra_arguments: tuple[str, ...] = ()


@dataclass
class Started:
    manager: sandbox.SandboxedKernelManager
    box: sandbox.Sandbox

    def stop(self) -> None:
        with contextlib.suppress(Exception):  # a kernel already gone is what we want
            run_sync(self.manager.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(self.manager.cleanup_resources)()
        self.box.close()


def start(settings: Settings, config=None) -> Started:  # noqa: ANN001 - traitlets config
    """A kernel in a new sandbox, started and (when ``settings.warm_up`` is set) warmed up, silently: no
    execution count, no output, nothing in the learner's namespace but what the course's imports bind."""
    box = sandbox.Sandbox(data=settings.data, memory_bytes=settings.memory_bytes, processes=settings.processes)
    manager = sandbox.SandboxedKernelManager(box, kernel_name=settings.kernel_name, config=config)
    started = Started(manager, box)
    try:
        # The kernel's own stdout and stderr go nowhere: a learner's output travels as messages, and a write
        # to a raw file descriptor must not reach the grader's pipe or fill its log.
        run_sync(manager.start_kernel)(extra_arguments=list(settings.extra_arguments), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
    except BaseException:
        started.stop()
        raise
    if settings.warm_up:
        client = BlockingKernelClient()
        client.load_connection_info(manager.get_connection_info())
        client.start_channels()
        try:
            client.wait_for_ready(timeout=WARM_UP_SECONDS)
            client.execute_interactive(settings.warm_up, silent=True, store_history=False,
                                       timeout=WARM_UP_SECONDS, output_hook=lambda message: None)
        except Exception as error:  # noqa: BLE001 - a slow machine: the notebook's own setup cell imports them
            log.warning("a kernel's warm-up did not finish (%s); its notebook runs without it", error)
        finally:
            client.stop_channels()
    return started


def start_with_retry(settings: Settings, config=None, attempts: int = 2) -> Started:  # noqa: ANN001
    """:func:`start`, tried again once: a kernel that fails to start on a loaded machine must not cost a learner
    their notebook."""
    for attempt in range(1, attempts + 1):
        try:
            return start(settings, config)
        except Exception as error:  # noqa: BLE001 - the last attempt's error is raised
            if attempt == attempts:
                raise
            log.warning("a kernel did not start (%s); starting another", error)
    raise AssertionError("unreachable")


class KernelPool:
    """One kernel always starting ahead, for the next notebook of this worker."""

    def __init__(self) -> None:
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smarketing-kernel-pool")
        self._next: tuple[Settings, Future] | None = None

    def take(self, settings: Settings, config=None) -> Started:  # noqa: ANN001 - traitlets config
        """A started kernel for ``settings`` (the one started ahead, when it matches and is alive; else a new
        one), and the next one set starting."""
        ready = None
        if self._next is not None:
            ahead_settings, future = self._next
            self._next = None
            try:
                ahead = future.result()
            except Exception as error:  # noqa: BLE001 - started anew below: a learner never pays for it
                log.warning("a kernel started ahead failed (%s); starting another", error)
            else:
                if ahead_settings == settings and run_sync(ahead.manager.is_alive)():
                    ready = ahead
                else:
                    ahead.stop()
        if ready is None:
            ready = start_with_retry(settings, config)
        self._next = (settings, self._starter.submit(start, settings, config))
        return ready

    def close(self) -> None:
        """Stop the kernel started ahead (at the end of the worker)."""
        if self._next is not None:
            _settings, future = self._next
            self._next = None
            with contextlib.suppress(Exception):
                future.result().stop()
        self._starter.shutdown(wait=False)


POOL = KernelPool()
atexit.register(POOL.close)
