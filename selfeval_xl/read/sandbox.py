"""The one process sandbox: untrusted files read in child processes with a time limit and a memory
limit (read/limits.py), for the rollup's workers, the page's jobs and the legacy reader's parser.

`run_each(task, items, report, …)` hands every item to `task` in a worker process and calls
`report(index, outcome)` exactly once per item, with the task's return value or a Failure:

- a file still being read after `timeout` seconds: the pool's processes are killed (never left
  running), the file is a Failure("timeout"), the other files in flight are read again;
- a worker that dies (killed by the OS, out of memory in native code, a crash): the pool breaks
  for every file in flight, so each of them is read again alone, in a fresh pool of one; the file
  whose worker dies again is a Failure("died"), the others are read normally;
- a task that raises: Failure("error", <the exception's type>).

Files are submitted one at a time, or small ones a few at a time (`batch`), a few more than there are
workers; the workers take them in the order submitted, so the first ones in flight are the ones being
read, and a file's (a batch's) clock starts when it becomes one of them (the first files' clocks also
include the workers' start). A batch that runs late or loses its worker has each of its files read
again alone, so that a file that hangs or kills its worker is still one row.
Each worker may map `memory_limit` bytes of address space beyond what it maps at start-up
(RLIMIT_AS, where the resource module exists; not on Windows): an allocation past it fails in the
worker, not on the whole machine.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Callable, Sequence, TypeVar

from selfeval_xl.read.limits import MIN_WORKER_MEMORY, WORKER_MEMORY, WORKER_SECONDS

if sys.platform != "win32":
    import resource

R = TypeVar("R")
T = TypeVar("T")

PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Failure:
    """Why an item has no result: "timeout", "died" (its worker exited) or "error" (the task raised)."""
    kind: str
    error: str = ""  # the exception's type name, for "error"


def start_worker(limit: int | None, parent: int) -> None:
    """The workers' initializer: at most `limit` bytes of address space beyond what is mapped now; on
    Linux, death with the parent and a process group of its own, so that killing the worker kills
    any child it started (the legacy reader's). Elsewhere the worker stays in the terminal's group,
    which a hang-up reaches."""
    if sys.platform == "win32":
        return
    if sys.platform.startswith("linux") and os.getppid() == parent:  # forked by the rollup, not a forkserver
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:
                os._exit(1)  # the parent died in between
            os.setpgid(0, 0)
        except (OSError, AttributeError):
            pass
    if not limit:
        return
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = limit + _mapped_now()
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        pass  # a system that will not lower it (macOS): the time limit still holds


def share_of(total: int, workers: int, parent: int | None = None) -> tuple[int, int]:
    """(workers, bytes each may grow) so that this process's resident memory now (`parent`) and every
    worker's growth stay within `total`: fewer workers rather than each too small to read a form."""
    left = total - (resident_now() if parent is None else parent)
    workers = max(1, min(workers, left // MIN_WORKER_MEMORY))
    return workers, max(MIN_WORKER_MEMORY, left // workers)


def resident_now() -> int:
    """This process's resident memory in bytes (Linux), else 0."""
    return _statm(1)


def _mapped_now() -> int:
    """The process's address space in bytes (Linux), else 0. A forked worker starts with its parent's."""
    return _statm(0)


def _statm(field: int) -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[field]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0


def run_alone(task: Callable[[T], R], arg: T, *, seconds: float = WORKER_SECONDS,
              memory: int = WORKER_MEMORY) -> R | Failure:
    """`task(arg)` in one child process with the limits, or a Failure. Inside a pool worker, which may
    not start children and carries the limits already, the task runs in place."""
    if multiprocessing.current_process().daemon:
        return _attempt(task, arg)
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=_alone_child, args=(send, task, arg, memory, os.getpid()), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            return Failure("timeout")
        try:
            status, payload = receive.recv()
        except EOFError:
            return Failure("died")  # killed for memory: nothing was sent
        return payload if status == "ok" else Failure("error", payload)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()


def _alone_child(conn: Connection, task: Callable[[T], R], arg: T, memory: int, parent: int) -> None:
    start_worker(memory, parent)  # the pool's workers' bounds, set the same way
    try:
        conn.send(("ok", task(arg)))
    except BaseException as exc:  # a panic or MemoryError is an answer, not a crash
        conn.send(("error", type(exc).__name__))
    finally:
        conn.close()


def run_each(task: Callable[[str], R], items: Sequence[str], report: Callable[[int, R | Failure], None], *,
             workers: int, timeout: float, memory_limit: int | None, batch: int = 1,
             sizes: Sequence[int] | None = None) -> None:
    """Run `task(items[i])` for every i in worker processes; `report(i, outcome)` once for each.

    With `batch` above 1, items of at most SMALL_ITEM bytes (`sizes`) go to a worker up to `batch` at a
    time, read one after the other under one clock of `timeout`: the pool's own cost per hand-over is
    then paid once per batch. A batch still being read after `timeout`, or whose worker dies, has each of
    its items read again alone, on its own clock (which one hung or killed its worker is not known)."""
    waiting = deque(plan_batches(len(items), workers, batch, sizes))
    suspects: deque[int] = deque()  # in flight when a worker died or a batch ran late: each read again alone
    while waiting or suspects:
        if suspects:
            _run_pool(task, items, deque([(suspects.popleft(),)]), report, 1, timeout, memory_limit, alone=True)
        else:
            size = max(1, min(workers, len(waiting)))
            suspects.extend(_run_pool(task, items, waiting, report, size, timeout, memory_limit, alone=False))


SMALL_ITEM = 512 * 1024  # an example-sized form is 30–60 KB; a large one takes a worker's turn alone


def plan_batches(count: int, workers: int, batch: int, sizes: Sequence[int] | None) -> list[tuple[int, ...]]:
    """The items' indices in order, grouped: consecutive small items up to `batch` together, a larger
    one alone, and the last `batch` × `workers` items alone, so that the workers finish together."""
    tail = max(0, count - batch * max(1, workers)) if batch > 1 else 0
    plan: list[tuple[int, ...]] = []
    group: list[int] = []
    for index in range(count):
        small = sizes is None or sizes[index] <= SMALL_ITEM
        if index < tail and small:
            group.append(index)
            if len(group) < batch:
                continue
        if group:
            plan.append(tuple(group))
            group = []
        if index >= tail or not small:
            plan.append((index,))
    if group:
        plan.append(tuple(group))
    return plan


def read_batch(task: Callable[[str], R], batch: list[str]) -> list[R | Failure]:
    """What a worker runs: `task` on each item in turn, its result or the Failure of what it raised, so
    that one item's error is its own row and not its batch's."""
    return [_attempt(task, item) for item in batch]


def _attempt(task: Callable[[T], R], arg: T) -> R | Failure:
    """`task(arg)` in this process: its result, or the Failure of what it raised."""
    try:
        return task(arg)
    except BaseException as exc:  # a Rust panic arrives as a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return Failure("error", type(exc).__name__)


def _run_pool(task: Callable[[str], R], items: Sequence[str], queue: deque[tuple[int, ...]],
              report: Callable[[int, R | Failure], None], size: int, timeout: float, memory_limit: int | None,
              alone: bool) -> list[int]:
    """Read from `queue` in one pool until it is empty or the pool breaks; returns the items to be read
    again alone (being read when it broke, or in a batch that ran late); batches only queued go back to
    the front of `queue`."""
    pool = ProcessPoolExecutor(max_workers=size, initializer=start_worker, initargs=(memory_limit, os.getpid()))
    window = size if alone else 2 * size  # a few queued, so that no worker waits for the next batch
    flight: dict[Future[list[R | Failure]], tuple[int, ...]] = {}  # in the order the workers take them
    started: dict[Future[list[R | Failure]], float] = {}  # the first `size` of them: since when
    suspects: list[int] = []
    finished = False

    def outcomes(future: Future[list[R | Failure]], batch: tuple[int, ...]) -> None:
        error = future.exception()
        results = [Failure("error", type(error).__name__)] * len(batch) if error is not None else future.result()
        for index, outcome in zip(batch, results, strict=True):
            report(index, outcome)

    try:
        while queue or flight:
            broken = False
            while queue and len(flight) < window:
                batch = queue.popleft()
                try:
                    flight[pool.submit(read_batch, task, [items[i] for i in batch])] = batch
                except BrokenProcessPool:
                    # A worker died between the last wait and this submit: the pool takes nothing more.
                    if flight:
                        queue.appendleft(batch)
                    else:
                        suspects.extend(batch)  # nothing else to blame: read again alone
                    broken = True
                    break
            now = time.monotonic()
            for future in list(flight)[:size]:
                started.setdefault(future, now)  # a worker took it when the batch before it was done
            done: set[Future[list[R | Failure]]] = set()
            if flight and not broken:
                done, _ = wait(flight, timeout=max(0.0, min(started.values()) + timeout - now),
                               return_when=FIRST_COMPLETED)
            for future in done:
                if isinstance(future.exception(), BrokenProcessPool):
                    broken = True  # left in `flight`, sorted out below
                    continue
                started.pop(future, None)
                outcomes(future, flight.pop(future))
            now = time.monotonic()
            late = [future for future, since in started.items() if now - since >= timeout and future in flight]
            if broken or late:
                _kill(pool)
                requeue = []
                for future, batch in flight.items():
                    if future in late and len(batch) == 1:
                        report(batch[0], Failure("timeout"))
                    elif future in late:
                        suspects.extend(batch)  # which one hung is not known: each alone, on its own clock
                    elif future.done() and not future.cancelled() and future.exception() is None:
                        outcomes(future, batch)
                    elif broken and future in started:
                        suspects.extend(batch)  # being read when a worker died: read again alone
                    else:
                        requeue.append(batch)
                queue.extendleft(reversed(requeue))
                flight.clear()
                break
        finished = True
    finally:
        if not finished:
            _kill(pool)  # also on KeyboardInterrupt: no worker outlives the run
        pool.shutdown(wait=True, cancel_futures=True)
    if alone:
        for index in suspects:
            report(index, Failure("died"))
        return []
    return suspects


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes, and whatever they started, and reap them (a hung read is never
    left running)."""
    processes = list((pool._processes or {}).values())
    for process in processes:
        if sys.platform != "win32" and process.pid is not None and process.exitcode is None:
            try:  # not reaped yet, so its id is still its own: the worker's group, it and its children
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass  # gone already, or not yet its own group
        process.kill()
    for process in processes:
        process.join(10)
