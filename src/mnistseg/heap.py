"""Freed memory kept on the heap during training (glibc only): the one speed trick kept.

A training step allocates and frees a few MiB of activations and gradients. glibc returns
freed memory to the kernel until its own thresholds have grown past such blocks, so early steps
get fresh pages that the kernel must map and zero again. Raising the thresholds from the start
keeps every epoch as fast as the later ones; nothing computed changes. Its measured gain is in
the README (`python benchmarks/benchmark.py --handmade`).
"""

from __future__ import annotations

import ctypes

# glibc's mallopt() options (malloc.h) and the values keep_freed_memory() sets.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
HEAP_BLOCKS_UP_TO = 32 << 20  # bytes: larger blocks still get their own mapping
KEEP_FREE_UP_TO = 256 << 20  # bytes of freed heap kept for reuse before any goes back


def keep_freed_memory() -> bool:
    """Have glibc's malloc keep freed memory for reuse; True if it could.

    The price is up to KEEP_FREE_UP_TO bytes of freed memory held by the process. Elsewhere
    (macOS, musl) there is no mallopt and this does nothing.
    """
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    heap = mallopt(M_MMAP_THRESHOLD, HEAP_BLOCKS_UP_TO)
    return bool(heap and mallopt(M_TRIM_THRESHOLD, KEEP_FREE_UP_TO))
