"""Run CPU-heavy work (reading an uploaded spreadsheet) in a child process.

The app serves everyone from one event loop: work that computes for seconds there, or in a
thread that holds the GIL, makes every page wait. A child process has its own interpreter,
runs at a lower priority, has a ceiling on its memory and a time limit, and whatever it
allocates is given back when it ends.

The child is a fresh ``python -m mediathek.worker`` (not multiprocessing, which would run the
server's main script again in the child). It reads the call from stdin and writes framed
pickles to stdout: progress reports, then the result or the exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import logging
import os
import pickle
import struct
import sys
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("mediathek.worker")

# Address space of the child. A spreadsheet that needs more than this to be read is refused
# instead of pushing the server into swap or the out-of-memory killer.
MEMORY_LIMIT = 1024 * 1024 * 1024
TIME_LIMIT = 600.0  # seconds
_HEADER = struct.Struct("!Q")
_ITEMS = "mediathek.worker:items"  # the result "the items sent before"


class WorkerFailed(Exception):
    """The child ran out of memory or time, or was ended; ``reason`` says which, in German."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def run_in_child(
    function: Callable[..., Any],
    *args: Any,
    progress: Callable[..., Awaitable[object]] | None = None,
    time_limit: float = TIME_LIMIT,
) -> Any:
    """Call ``function(*args, progress=…)`` in a fresh child process and return its result.

    ``function`` must be a module-level function; its arguments and result must pickle.
    Calls of ``progress(*values)`` in the child arrive here as awaited ``progress(*values)``.
    An exception raised in the child is raised here again. A generator function's items
    come back as a list: unpickling a big result holds the event loop, a list of small
    items lets other requests in between.
    """
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "mediathek.worker",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 20,
    )
    assert child.stdin is not None and child.stdout is not None  # both are pipes
    try:
        call = pickle.dumps((function.__module__, function.__qualname__, args))
        child.stdin.write(_HEADER.pack(len(call)) + call)
        await child.stdin.drain()
        child.stdin.close()
        items: list = []
        async with asyncio.timeout(time_limit):
            while True:
                try:
                    (size,) = _HEADER.unpack(await child.stdout.readexactly(_HEADER.size))
                    kind, value = pickle.loads(await child.stdout.readexactly(size))
                except (asyncio.IncompleteReadError, ConnectionError):
                    code = await child.wait()
                    log.warning("Worker process %s ended with exit code %s", child.pid, code)
                    raise WorkerFailed(
                        "Das Lesen der Datei wurde unerwartet beendet (zu groß oder beschädigt?)."
                    ) from None
                if kind == "progress":
                    if progress:
                        await progress(*value)
                elif kind == "item":
                    items.append(value)
                    await asyncio.sleep(0)
                elif kind == "result":
                    return items if value == _ITEMS else value
                elif kind == "memory":
                    raise WorkerFailed(
                        "Die Datei braucht zu viel Arbeitsspeicher und wurde nicht gelesen."
                    )
                else:
                    raise value
    except TimeoutError:
        raise WorkerFailed(
            f"Das Lesen der Datei hat länger als {int(time_limit)} Sekunden gedauert "
            "und wurde abgebrochen."
        ) from None
    finally:
        if child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            await child.wait()


# ---- in the child ----------------------------------------------------------------------------


def _limit_child() -> None:
    with contextlib.suppress(OSError):
        # The pages people are waiting for come first; mildly, so that on a machine busy
        # with other programs the import still gets its turn.
        os.nice(5)
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # not on every platform
        pass


def _child_main() -> None:
    _limit_child()
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must not break the frames

    def send(kind: str, value: Any) -> None:
        data = pickle.dumps((kind, value))
        out.write(_HEADER.pack(len(data)) + data)
        out.flush()

    (size,) = _HEADER.unpack(sys.stdin.buffer.read(_HEADER.size))
    module, name, args = pickle.loads(sys.stdin.buffer.read(size))
    function = getattr(importlib.import_module(module), name)
    try:
        result = function(*args, progress=lambda *values: send("progress", values))
        if inspect.isgenerator(result):
            for item in result:
                send("item", item)
            result = _ITEMS
        send("result", result)
    except MemoryError:
        send("memory", None)
    except Exception as exc:  # noqa: BLE001 - the parent decides; it gets the exception
        try:
            send("error", exc)
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            send("error", RuntimeError(repr(exc)))


if __name__ == "__main__":
    _child_main()
