"""Independent steps of the analysis on two cores.

The heavy parts of the analysis (Arrow hashing and string kernels, numpy sorts and counts)
release Python's lock, so plain threads overlap them: on a 2-core machine a million customers
take about a third less time than on one.  Results never depend on it.

Where no thread can start (Python in WebAssembly, as in xlwings Lite: ``Thread.start`` raises
``RuntimeError``), the steps run one after the other in the calling thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

#: Cores this process may use (a container or taskset may allow fewer than the machine has).
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def in_parallel(*calls: Callable[[], Any]) -> list[Any]:
    """The results of independent calls, run at once where the process has two cores or more.

    The first call runs in the calling thread, each other one in a thread of its own; a call
    whose thread cannot start runs here too, after the first, so every call runs exactly once.
    An exception from any call is raised here, the first call's first.
    """
    if CORES < 2 or len(calls) < 2:
        return [call() for call in calls]
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except BaseException as error:  # re-raised below, in call order
            errors[i] = error

    started: list[threading.Thread] = []
    for i in range(1, len(calls)):
        thread = threading.Thread(target=run, args=(i,), name=f"potentiel-step-{i}")
        try:
            thread.start()
        except RuntimeError:  # no threads here (WebAssembly) or none left: run the rest inline
            break
        started.append(thread)
    run(0)
    for i in range(len(started) + 1, len(calls)):
        run(i)
    for thread in started:
        thread.join()
    for error in errors:
        if error is not None:
            raise error
    return results
