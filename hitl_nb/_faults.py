"""Private seams for crash tests, and telling a dead lease holder from a slow one.

``fault(point)`` kills the current process with SIGKILL when the environment variable
``HITL_NB_FAULT`` names ``point``. The crash-recovery tests set it in a subprocess; it
is not part of the public API. Points: ``before_record_commit``, ``after_record``,
``during_resume``, ``after_resume``; and ``after_effect`` (`hitl_nb.once`: the effect ran,
its result is not committed yet).
"""

from __future__ import annotations

import os
import signal
import socket

POINTS = ("before_record_commit", "after_record", "during_resume", "after_resume")


def fault(point: str) -> None:
    """Die here, like a power cut, when ``HITL_NB_FAULT == point`` (tests only)."""
    if os.environ.get("HITL_NB_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def owner_id(unique: str) -> str:
    """A lease owner: ``host:pid:unique``."""
    return f"{socket.gethostname()}:{os.getpid()}:{unique}"


def owner_alive(owner: str | None) -> bool:
    """False only when ``owner`` is a process on this host that no longer runs.

    Owners on other hosts count as alive: their lease expires by time instead.
    """
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child not yet reaped is a zombie: dead for our purposes
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True
