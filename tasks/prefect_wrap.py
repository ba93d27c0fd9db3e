"""Thin Prefect wrappers, built on first use.

Stage modules end with ``__getattr__ = lazy_tasks(clean_task=(clean_batch, {...}))``: ``tasks.clean.clean_task``
is then a real ``prefect.Task`` around the plain function, but ``import tasks.clean`` alone never imports Prefect
(about 2 s), so commands such as ``newsdex clean`` and ``newsdex show --explain`` start fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_DEFAULTS: dict[str, Any] = {"retries": 1, "retry_delay_seconds": 2, "log_prints": False}


def lazy_tasks(**specs: tuple[Callable[..., Any], dict[str, Any]]) -> Callable[[str], Any]:
    built: dict[str, Any] = {}

    def module_getattr(name: str) -> Any:
        if name not in specs:
            raise AttributeError(name)
        if name not in built:
            from prefect import task
            from prefect.cache_policies import NO_CACHE

            fn, options = specs[name]
            # No Prefect cache: hashing hundreds of documents per call costs as much as the work, and skipping
            # unchanged documents is the manifest's job (DESIGN.md pitfalls).
            built[name] = task(fn, **{**_DEFAULTS, "cache_policy": NO_CACHE, **options})
        return built[name]

    return module_getattr
