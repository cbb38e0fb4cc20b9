"""Where runs execute: this process, local worker processes, or a Dask cluster.

Every executor takes the same task function and arguments and returns
futures with ``add_done_callback`` and ``result``; a run's result depends
only on its scenario, parameter values and seed, so every executor and
worker count gives the same rows.

- :class:`InProcess` (``--workers 0``): runs in the calling process, one at
  a time (for debugging; no isolation).
- :class:`Local` (default): a ``concurrent.futures.ProcessPoolExecutor``
  whose workers fork from a server that has already imported the model, so
  they start in well under a second (:func:`warm_up` starts that server
  early). A worker that dies breaks the pool: the affected runs fail (and are
  retried) and a fresh pool replaces it. As with any ``multiprocessing``
  code, a script that calls the runner must guard its entry point with
  ``if __name__ == "__main__":`` (workers import the main module).
- :class:`Dask`: ``distributed.Client(ADDRESS)`` (``--scheduler``) or a
  ``LocalCluster`` on 127.0.0.1 with one thread per worker (``--dask-local N``).
  The base scenario is sent to the workers once, as the result of a task
  rather than scattered data, so the scheduler can make it again after the
  workers holding it died; a task lost with its worker is run again elsewhere.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from returnsim.errors import InputError

#: Modules the local workers' fork server imports once.
PRELOAD = ["returnsim.experiments.runs", "returnsim.model", "returnsim.outcomes"]


@dataclass(frozen=True)
class ExecutorConfig:
    """How to execute: ``workers`` local processes, or a Dask scheduler / local cluster."""

    workers: int | None = None
    scheduler: str | None = None
    dask_local: int | None = None

    def describe(self) -> str:
        """A few words for progress lines and the manifest."""
        if self.scheduler:
            return f"dask scheduler {self.scheduler}"
        if self.dask_local:
            return f"dask LocalCluster with {self.dask_local} worker(s)"
        if self.workers == 0:
            return "this process"
        return f"{self.resolved_workers()} local process(es)"

    def resolved_workers(self) -> int:
        """Local worker count (default: the CPUs this process may use)."""
        if self.workers is not None:
            return self.workers
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not Linux
            return max(1, os.cpu_count() or 1)


class InProcess:
    """Run each task immediately in this process."""

    def __init__(self) -> None:
        self.workers = 1

    def share(self, obj: Any) -> Any:
        """The object as tasks receive it (here: itself)."""
        return obj

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        """Run ``fn(*args)`` now; return a finished future."""
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            fut.set_exception(exc)
        return fut

    def recover(self, exc: BaseException) -> None:
        """Nothing to repair."""

    def close(self) -> None:
        """Nothing to stop."""


class Local:
    """A pool of local worker processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)

    def share(self, obj: Any) -> Any:
        """The object as tasks receive it (pickled with each task)."""
        return obj

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        """Queue ``fn(*args)`` on the pool."""
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool:
            self._pool = self._new_pool()
            return self._pool.submit(fn, *args)

    def recover(self, exc: BaseException) -> None:
        """After a worker died, replace the broken pool with a fresh one."""
        if isinstance(exc, BrokenProcessPool) and getattr(self._pool, "_broken", False):
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()

    def close(self) -> None:
        """Stop the workers (queued tasks are cancelled)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _probe(address: str) -> None:
    """Fail fast, with one line, when nothing listens at a tcp:// scheduler address."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp":
        return  # tls://, inproc:// ...: let Dask connect and report
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None:
        raise InputError(
            f"--scheduler {address}: expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
        )
    try:
        with socket.create_connection((parts.hostname, port), timeout=10):
            pass
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise InputError(f"--scheduler {address}: cannot connect ({why})") from None


class Dask:
    """A Dask distributed client, on a given scheduler or on a LocalCluster it starts."""

    def __init__(self, *, scheduler: str | None = None, n_workers: int | None = None) -> None:
        import logging

        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            _probe(scheduler)
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:
                why = " ".join(str(exc).split())[:200]
                raise InputError(f"--scheduler {scheduler}: cannot connect ({why})") from None
        else:
            self.cluster = LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
        info = self.client.scheduler_info()
        threads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
        self.workers = max(1, threads)

    def share(self, obj: Any) -> Any:
        """Send ``obj`` to the workers once; tasks receive it by reference.

        A task's result, not ``scatter``: scattered data is lost for good when
        every worker holding it dies, a task's result is computed again.
        """
        return self.client.submit(_value, obj, pure=False)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Schedule ``fn(*args)`` on the cluster."""
        return self.client.submit(fn, *args, pure=False)

    def recover(self, exc: BaseException) -> None:
        """The scheduler reschedules after lost workers by itself."""

    def close(self) -> None:
        """Disconnect; stop the LocalCluster if this executor started one."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _value(obj: Any) -> Any:
    """The object itself (a Dask task whose result is a shared object)."""
    return obj


def warm_up(config: ExecutorConfig) -> None:
    """Start the local workers' fork server now, so it imports the model while we read the spec.

    The fork server lives until this process ends; starting it costs about a
    second of imports, which then overlap with the caller's own work.
    """
    if config.scheduler or config.dask_local or config.resolved_workers() == 0:
        return
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()


def open_executor(config: ExecutorConfig) -> InProcess | Local | Dask:
    """The executor ``config`` asks for."""
    if config.scheduler:
        return Dask(scheduler=config.scheduler)
    if config.dask_local:
        return Dask(n_workers=config.dask_local)
    workers = config.resolved_workers()
    if workers == 0:
        return InProcess()
    return Local(workers)
