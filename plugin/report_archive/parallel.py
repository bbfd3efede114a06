"""Spreading per-report work over the machine's cores, when that is safe.

MkDocs builds on one core. Reading a thousand reports, or rendering their
header cards, is independent per report, so it is mapped over forked worker
processes, which inherit everything they need (settings, the archive, the
templates) without pickling it. Forking is only safe while this process runs a
single thread (a plain `mkdocs build` or `report-archive check`); otherwise,
and for small inputs, the work is done here.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 200
_CONTEXT: Any = None


@contextmanager
def frozen_objects() -> Iterator[None]:
    """Fork with every object out of the garbage collector's sight, so that a child's
    collections do not touch (and so copy) the memory it shares with this process."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def workers() -> int:
    return min(os.cpu_count() or 1, 4)


def can_fork() -> bool:
    return (workers() > 1 and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def _run(job: tuple[Callable[[Any, Any], Any], Sequence[Any]]) -> list[Any]:
    function, chunk = job
    return [function(_CONTEXT, item) for item in chunk]


def _run_packed(job: tuple[Callable[[Any, Any], Any], Sequence[Any]]) -> list[bytes]:
    """`_run`, each result pickled and compressed (`unpack` gives it back)."""
    function, chunk = job
    return [zlib.compress(pickle.dumps(function(_CONTEXT, item), pickle.HIGHEST_PROTOCOL), 1)
            for item in chunk]


def unpack(packed: bytes) -> Any:
    return pickle.loads(zlib.decompress(packed))


def fork_map(function: Callable[[Any, Item], Result], items: Sequence[Item],
             context: Any, min_items: int = MIN_ITEMS) -> list[Result]:
    """`[function(context, item) for item in items]`, in forked workers when worth it.

    `function` must be a module-level function; `context` reaches the workers by
    fork, so it need not be picklable, but each result must be.
    """
    global _CONTEXT
    if len(items) < min_items or not can_fork():
        return [function(context, item) for item in items]
    count = workers()
    size = max(16, len(items) // (count * 4))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    _CONTEXT = context
    try:
        with ProcessPoolExecutor(max_workers=count,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            return [result for part in pool.map(_run, [(function, c) for c in chunks])
                    for result in part]
    finally:
        _CONTEXT = None


class Background:
    """`fork_map` started now and collected later, while this process does other work.

    Without fork (or for few items) the work is done, lazily, on the first call of
    `result`.
    """

    def __init__(self, function: Callable[[Any, Any], Any], items: Sequence[Any],
                 context: Any, min_items: int = MIN_ITEMS) -> None:
        global _CONTEXT
        self.function, self.items, self.context = function, items, context
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Any] = []
        self.done: list[Any] | None = None
        if len(items) < min_items or not can_fork():
            return
        count = workers()
        size = max(1, len(items) // (count * 2))
        _CONTEXT = context
        try:
            self.pool = ProcessPoolExecutor(max_workers=count,
                                            mp_context=multiprocessing.get_context("fork"))
            # With fork, the first submit starts every worker: they inherit the context.
            self.futures = [self.pool.submit(_run, (function, items[i:i + size]))
                            for i in range(0, len(items), size)]
        finally:
            _CONTEXT = None

    def result(self) -> list[Any]:
        if self.done is None:
            if self.pool is None:
                self.done = [self.function(self.context, item) for item in self.items]
            else:
                try:
                    self.done = [r for future in self.futures for r in future.result()]
                finally:
                    self.pool.shutdown(wait=True)
                    self.pool = None
        return self.done

    def close(self) -> None:
        """Stop the workers, whether or not their results were collected."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


class Batch:
    """Results of one kind of work on a `Pool`, item by item as the chunks finish.

    Without workers, each chunk is computed here on the first request for one of its
    items, so work nobody asks for is never done.
    """

    def __init__(self, pool: Pool, function: Callable[[Any, Any], Any], items: Sequence[Any],
                 size: int, from_the_end: bool = False, packed: bool = False) -> None:
        self.pool, self.function, self.items = pool, function, items
        self.size = max(1, size)
        self.chunks: list[Any] = []
        self.done: dict[int, list[Any]] = {}
        # Chunks whose results arrived packed from a worker (see `Pool.map`).
        self.packed: set[int] = set()
        if pool.executor is not None:
            starts = list(range(0, len(items), self.size))
            order = reversed(starts) if from_the_end else starts
            futures = {i: pool.submit(function, items[i:i + self.size], packed) for i in order}
            self.chunks = [futures[i] for i in starts]
            if packed:
                self.packed = set(range(len(starts)))

    def get(self, index: int) -> Any:
        number = index // self.size
        if number not in self.done:
            if self.chunks:
                self.done[number] = self.chunks[number].result()
            else:
                start = number * self.size
                self.done[number] = [self.function(self.pool.context, item)
                                     for item in self.items[start:start + self.size]]
        result = self.done[number][index % self.size]
        return unpack(result) if number in self.packed and result is not None else result

    def take(self, index: int, steal: bool = False) -> Any:
        """`get`, forgetting the result here (the caller keeps it as long as it needs).

        `steal`: for an item whose chunk no worker has started, None at once (the
        chunk is withdrawn, and the caller does its items itself).
        """
        number = index // self.size
        if steal and number not in self.done and self.chunks and self.chunks[number].cancel():
            start = number * self.size
            self.done[number] = [None] * len(self.items[start:start + self.size])
            self.packed.discard(number)
        result = self.get(index)
        self.done[number][index % self.size] = None
        return result

    def all(self) -> list[Any]:
        return [self.get(i) for i in range(len(self.items))]


class Pool:
    """Forked workers that share one context, for several kinds of work submitted in order.

    The workers are forked once, at the first submission, and inherit `context`;
    work submitted first is done first. `enabled` False (or no fork): no workers,
    every `Batch` is computed here when asked.
    """

    def __init__(self, context: Any, enabled: bool = True) -> None:
        self.context = context
        self.executor: ProcessPoolExecutor | None = None
        self._started = False
        self._futures: list[Any] = []
        self._first_running = 0
        if enabled and can_fork():
            self.executor = ProcessPoolExecutor(max_workers=workers(),
                                                mp_context=multiprocessing.get_context("fork"))

    def map(self, function: Callable[[Any, Any], Any], items: Sequence[Any],
            size: int = 0, from_the_end: bool = False, packed: bool = False) -> Batch:
        """Start `function(context, item)` for every item; chunks of `size` (0: balanced).

        `from_the_end`: the workers start with the last chunk, so that this process
        can take the first ones itself (`Batch.take(..., steal=True)`) rather than wait.
        `packed`: results wait here pickled and compressed until they are asked for
        (rendered pages wait a fifth of their size so, where Python strings of
        them take two bytes a character).
        """
        if not size:
            size = max(1, min(64, len(items) // (workers() * 4) or 1))
        return Batch(self, function, items, size, from_the_end, packed)

    def submit(self, function: Callable[[Any, Any], Any], chunk: Sequence[Any],
               packed: bool = False) -> Any:
        global _CONTEXT
        assert self.executor is not None
        run = _run_packed if packed else _run
        if self._started:
            future = self.executor.submit(run, (function, chunk))
            self._futures.append(future)
            return future
        # With fork, the first submit starts every worker: they inherit the context.
        _CONTEXT = self.context
        try:
            with frozen_objects():
                future = self.executor.submit(run, (function, chunk))
        finally:
            _CONTEXT = None
        self._started = True
        self._futures.append(future)
        return future

    def idle(self) -> bool:
        """The workers are running and have done all the work submitted to them."""
        while (self._first_running < len(self._futures)
               and self._futures[self._first_running].done()):
            self._first_running += 1
        return self.executor is not None and self._first_running == len(self._futures)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
