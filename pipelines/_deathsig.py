"""`die_with_parent`: the process gets SIGKILL when its parent dies (Linux `PR_SET_PDEATHSIG`).
The forkserver calls it as it starts (it preloads `pipelines._forkserver_init`), and so does
every worker it starts. So the forkserver of a run that was
killed (by the OOM killer, or `kill -9` of the main process alone) and its workers go with it,
instead of living on as orphans. If the forkserver goes while its run lives (its parent thread
ended), multiprocessing starts a new one when it is next needed."""

import os
import signal


def die_with_parent(parent: int | None = None) -> None:
    """`parent`: the pid this process was started by; if it is already gone (it died before the
    signal was asked for, which the kernel would then never send), exit now."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if (parent is not None and os.getppid() != parent) or os.getppid() == 1:
        os._exit(0)  # the parent is already gone (an orphan is given to init)
