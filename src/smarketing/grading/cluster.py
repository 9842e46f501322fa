"""Grading on Dask distributed, for a class too large for one machine.

``smarketing grade A --scheduler tcp://host:8786`` grades on a cluster that is already running;
``--cluster local --jobs N`` starts N workers on this machine; ``--cluster kubernetes`` (dask-kubernetes) and
``--cluster slurm`` (dask-jobqueue) start them on a university's Kubernetes or Slurm, configured the way those
projects configure them (``~/.config/dask/kubernetes.yaml``, ``jobqueue.yaml``: image, queue, memory).

Each batch travels by value (:class:`~smarketing.grading.batches.Parcel`): workers need the same installed
``smarketing`` and bubblewrap, not the course's folders. The datasets go to each worker once. A batch lost
with its worker is run once more (``retries=1``): grading a parcel twice gives the same result. The graded
notebooks come back, and only the instructor's machine writes the course and its gradebook.

Dask is an optional extra (``pip install 'smarketing[cluster]'``), imported here alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

from smarketing.grading.batches import Data, Graded, Parcel, grade_parcel
from smarketing.grading.gradebook import CLUSTERS, GradingError
from smarketing.messages import _


def _missing(package: str, extra: str = "cluster") -> GradingError:
    return GradingError(_("Grading on a cluster needs {package}, which is not installed. Install it with: "
                          "pip install 'smarketing[{extra}]'", package=package, extra=extra))


@contextlib.contextmanager
def client(scheduler: str | None = None, cluster: str | None = None, jobs: int | None = None) -> Iterator:
    """A Dask client: on the scheduler at ``scheduler``, or on a ``cluster`` of ``jobs`` workers started here
    and stopped when grading ends."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise _missing("Dask distributed") from None
    if scheduler:
        try:
            with Client(scheduler, timeout="30s") as connected:
                yield connected
        except OSError as error:
            raise GradingError(_("No Dask scheduler answers at {address} ({detail}). Start one with `dask "
                                 "scheduler` and workers with `dask worker {address}`, or grade with --cluster.",
                                 address=scheduler, detail=error)) from None
        return
    if cluster not in CLUSTERS:
        raise GradingError(_("Unknown cluster '{name}'; choose one of: {known}.", name=cluster,
                             known=", ".join(CLUSTERS)))
    workers = jobs or os.cpu_count() or 1
    if cluster == "local":
        # One thread per worker process: a batch keeps one core busy with its learner's kernel.
        started = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
    elif cluster == "kubernetes":
        try:
            from dask_kubernetes.operator import KubeCluster
        except ImportError:
            raise _missing("dask-kubernetes", "kubernetes") from None
        started = KubeCluster(name="smarketing-grading", n_workers=workers)
    else:
        try:
            from dask_jobqueue import SLURMCluster
        except ImportError:
            raise _missing("dask-jobqueue", "slurm") from None
        started = SLURMCluster(cores=1, processes=1)
        started.scale(workers)
    with started, Client(started) as connected:
        yield connected


def workers(connected) -> int:  # noqa: ANN001 - distributed.Client
    """How many batches the cluster runs at once (at least one, for a cluster still starting its workers)."""
    return max(1, sum(connected.nthreads().values()))


def grade_parcels(connected, parcels: list[Parcel], data: Data) -> Iterator[tuple[int, Graded]]:  # noqa: ANN001
    """Grade the parcels on the cluster; yields ``(index, graded)`` as each batch finishes."""
    from distributed import as_completed

    shared = connected.scatter(data, broadcast=True)  # once per worker, not once per batch
    futures = {connected.submit(grade_parcel, parcel, shared, retries=1, pure=False): number
               for number, parcel in enumerate(parcels)}
    for future in as_completed(futures):
        yield futures[future], future.result()
