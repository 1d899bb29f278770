"""The report runner's notebook kernels: each is started while the notebook before it runs, and
shut down gracefully while the notebook after it runs.

A graceful shutdown asks the kernel to exit and waits until it has: a kernel holding pandas,
plotly and spaCy takes about a second to tear its interpreter down, and its atexit handlers
are what stop the worker processes it started (joblib's loky workers, a user's Dask
cluster). :class:`RetiringKernelManager` keeps the shutdown graceful but takes the waiting off
the runner's path: when nbclient shuts a finished kernel down, the shutdown request is sent at
once and the wait for the process to exit, and the clean-up after it, run in a thread of a
:class:`Retirer`, which the runner joins before it removes the kernels' socket folder.
:class:`Kernels` starts the kernel of notebook *n + 1* as soon as that of notebook *n* is ready
(nbclient's ``on_notebook_start`` hook), so it boots while notebook *n* runs.

jupyter_client is imported by :func:`kernel_manager_class` and :class:`Kernels`, when a report
runs.
"""

from __future__ import annotations

import asyncio
import logging
import threading

log = logging.getLogger(__name__)


class Retirer:
    """Finishes the graceful shutdown of kernels in background threads; :meth:`join` waits
    for every one handed over so far."""

    def __init__(self) -> None:
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def retire(self, manager) -> None:
        """Wait in a thread for *manager*'s kernel to exit (terminated, then killed, if it has
        not after the manager's ``shutdown_wait_time``) and clean up its files and sockets."""
        thread = threading.Thread(target=_finish, args=(manager,), name="thematic-kernel-shutdown")
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def join(self) -> None:
        """Return once every kernel handed to :meth:`retire` has exited and been cleaned up."""
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join()


def _finish(manager) -> None:
    try:
        asyncio.run(manager.finish_retiring())
    except Exception:  # noqa: BLE001 - a kernel that will not stop must not stop the report
        log.warning("kernel %s did not shut down cleanly", getattr(manager, "kernel_id", "?"), exc_info=True)


def kernel_manager_class(retirer: Retirer) -> type:
    """An ``AsyncKernelManager`` class whose graceful shutdown returns once the kernel has been
    asked to exit, handing the rest to *retirer*, and which keeps the clients made of it (for
    :meth:`Kernels.release` to close). An immediate shutdown, a restart, and a kernel that died
    are handled as by jupyter_client."""
    from jupyter_client.manager import AsyncKernelManager

    class RetiringKernelManager(AsyncKernelManager):
        _retiring = False

        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self.clients: list = []  # the clients nbclient made, closed by Kernels.release

        def client(self, **kwargs):
            made = super().client(**kwargs)
            self.clients.append(made)
            return made

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            if now or restart or not self.owns_kernel:
                return await super().shutdown_kernel(now=now, restart=restart)
            self.shutting_down = True
            self.stop_restarter()
            if self.has_kernel:
                await self.interrupt_kernel()
            await self.request_shutdown()
            self._close_control_socket()  # closed here, in the loop that opened it
            self._retiring = True
            retirer.retire(self)

        async def cleanup_resources(self, restart: bool = False) -> None:
            if not self._retiring:  # once retiring, cleaned up after the kernel has exited
                await super().cleanup_resources(restart=restart)

        async def finish_retiring(self) -> None:
            """The rest of a graceful shutdown: wait for the kernel to exit, then clean up."""
            await self.finish_shutdown()
            await super().cleanup_resources()

    return RetiringKernelManager


class Kernels:
    """The kernel of each notebook of a report, started one notebook ahead: while notebook *n*
    runs, the kernel of notebook *n + 1* boots. Each kernel listens on its own sockets in
    *socket_dir*, runs in *cwd*, and is shut down gracefully through *retirer* once its notebook
    has run (:meth:`release`)."""

    def __init__(self, *, kernel_name: str, socket_dir: str, cwd: str, retirer: Retirer) -> None:
        self.kernel_name, self.socket_dir, self.cwd, self.retirer = kernel_name, socket_dir, cwd, retirer
        self._class = kernel_manager_class(retirer)
        self._started: dict[int, object] = {}

    def start(self, number: int):
        """The kernel manager of notebook *number*, its kernel launched (not necessarily ready)."""
        from jupyter_core.utils import run_sync

        return run_sync(self.start_async)(number)

    async def start_async(self, number: int):
        """:meth:`start`, in the event loop nbclient runs in (e.g. from its ``on_notebook_start``
        hook, so that the next kernel boots once this one is ready)."""
        import os

        from traitlets.config import Config

        if number not in self._started:
            config = Config({"KernelManager": {"transport": "ipc",
                                               "ip": os.path.join(self.socket_dir, f"kernel-{number}")}})
            manager = self._class(kernel_name=self.kernel_name, config=config)
            # as nbclient starts a kernel: IPython's history in memory, never in a file
            await manager.start_kernel(cwd=self.cwd, extra_arguments=["--HistoryManager.hist_file=:memory:"])
            self._started[number] = manager
        return self._started[number]

    def release(self, number: int) -> None:
        """Close the clients of notebook *number*'s kernel and shut it down gracefully (the
        waiting in the retirer's thread)."""
        from jupyter_core.utils import run_sync

        manager = self._started.pop(number, None)
        if manager is None:
            return
        for client in manager.clients:
            client.stop_channels()
        try:
            if run_sync(manager.is_alive)():
                run_sync(manager.shutdown_kernel)()
            else:
                run_sync(manager.cleanup_resources)()
        except RuntimeError as error:  # as nbclient: a kernel already gone is not an error
            if "No kernel is running!" not in str(error):
                raise

    def release_all(self) -> None:
        for number in list(self._started):
            self.release(number)
