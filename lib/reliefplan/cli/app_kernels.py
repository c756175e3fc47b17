"""The served app's kernel manager: at most N kernels at once, idle ones culled.

Every visitor of the app gets a kernel (about 170 MB). Jupyter's kernel
manager culls idle kernels when told (``cull_idle_timeout``), but has no
limit on how many run. :class:`CappedKernelManager` adds one: before a
kernel starts while ``max_kernels`` are already running, the least useful
one is shut down first, in this order: no browser connected, then the
longest idle. A preheated kernel waiting in Voilà's pool for the next
visitor is never the one chosen. Starting is serialised by a lock, so two
visitors arriving together cannot both pass the limit.

Voilà wraps this class with its preheating pool
(``VoilaConfiguration.multi_kernel_manager_class`` names it), so it must
stay importable from the Voilà server process.
"""

from __future__ import annotations

import asyncio

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer


class CappedKernelManager(AsyncMappingKernelManager):
    """A mapping kernel manager that keeps at most ``max_kernels`` kernels alive."""

    max_kernels = Integer(4, config=True, help="The most kernels alive at once (pool included); at least 2.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._start_lock = asyncio.Lock()

    def _pooled(self) -> set[str]:
        """Ids of preheated kernels still waiting in Voilà's pool (none without preheating)."""
        out = set()
        for pool in (getattr(self, "_pools", None) or {}).values():
            for task in pool:
                try:
                    if task.done() and not task.cancelled() and task.exception() is None:
                        out.add(task.result().get("kernel_id"))
                except Exception:  # a failed pool task holds no kernel
                    continue
        return out

    def eviction_order(self) -> list[str]:
        """Running kernels that may be shut down to make room, most dispensable first."""
        pooled = self._pooled()
        candidates = [k for k in self.list_kernel_ids() if k not in pooled]

        def key(kernel_id):
            kernel = self._kernels.get(kernel_id)
            connections = self._kernel_connections.get(kernel_id, 0)
            last = getattr(kernel, "last_activity", None)
            return (connections > 0, last.timestamp() if last else 0.0)

        return sorted(candidates, key=key)

    async def start_kernel(self, *args, **kwargs):
        async with self._start_lock:
            running = len(self.list_kernel_ids())
            for kernel_id in self.eviction_order():
                if running < self.max_kernels:
                    break
                self.log.warning("kernel limit %d reached: shutting down kernel %s (least recently used)",
                                 self.max_kernels, kernel_id)
                try:
                    await self.shutdown_kernel(kernel_id)
                except Exception as exc:  # already gone: it no longer counts either
                    self.log.warning("could not shut down kernel %s: %s", kernel_id, exc)
                running = len(self.list_kernel_ids())
            return await super().start_kernel(*args, **kwargs)
