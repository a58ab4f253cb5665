"""Caps glibc's malloc arenas for the server process, so many session threads don't fragment memory apart."""

from __future__ import annotations

import ctypes
import ctypes.util

_M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h


def cap_malloc_arenas(arenas: int = 2) -> bool:
    """Limit glibc to ``arenas`` malloc arenas; returns whether it applied (False off glibc, e.g. on macOS).

    Streamlit runs each session's script in a thread of its own, and glibc gives contending threads arenas of their
    own (up to eight per core), which the pages' many small allocations fragment: the server's peak memory under
    bench/load.py grew past 1 GB. Python's allocator gains little from more arenas. The same as setting
    MALLOC_ARENA_MAX=2 before the server starts, which a deployment may do instead.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        return bool(ctypes.CDLL(name).mallopt(_M_ARENA_MAX, int(arenas)))
    except (OSError, AttributeError):
        return False
