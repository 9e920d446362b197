"""Several server processes that share what was loaded before they were started.

uvicorn's own ``--workers`` starts each worker as a fresh interpreter: every worker imports
the whole app and builds its own in-memory data (two workers held 371 MB at 100,000 titles,
see docs/benchmarks.md). Here the app is made, and ``prepare`` run, once in the parent;
the workers are forked from it and share those memory pages until one of them writes to
a page (the operating system then copies that page alone). The parent only watches: it
starts a worker again when one ends, and ends them all on SIGTERM or Ctrl+C.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import time
from collections.abc import Callable

import uvicorn

log = logging.getLogger("mediathek.server")

# A worker that ends sooner than this after its start is not started again at once.
RESTART_PAUSE = 1.0


def serve_forked(config: uvicorn.Config, workers: int, prepare: Callable[[], None]) -> None:
    """Serve ``config.app`` (an app object, not an import string) with ``workers`` forked
    processes on one listening socket, after ``prepare()`` has run in this process."""
    prepare()
    sock = config.bind_socket()
    # Objects made so far are never collected: the collector in a worker would otherwise
    # write to every object's header and so copy every shared page.
    gc.collect()
    gc.freeze()
    children: dict[int, float] = {}
    stopping = False

    def start_worker() -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                uvicorn.Server(config).run(sockets=[sock])
            except BaseException:  # noqa: BLE001 - the parent starts another one
                log.exception("Worker %s failed", os.getpid())
                code = 1
            finally:
                os._exit(code)
        children[pid] = time.monotonic()

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for _ in range(workers):
        start_worker()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        started = children.pop(pid, None)
        if started is None or stopping:
            continue
        log.warning("Worker %s ended (%s); starting another", pid, status)
        if time.monotonic() - started < RESTART_PAUSE:
            time.sleep(RESTART_PAUSE)
        if not stopping:
            start_worker()
    sock.close()
