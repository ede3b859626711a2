"""A writer and a reader script on one log file, each in its own Python process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

#: Writes ``total`` rows, ``args`` {"n": 1..total}; each transaction also sets an old row's
#: comment (row ``1 + n % 5``) to ``n``: a reader mixing two snapshots sees them disagree.
WRITER = textwrap.dedent("""
    import sys, time
    import hitl_nb
    log = hitl_nb.DecisionLog(sys.argv[1])
    for n in range(1, int(sys.argv[2]) + 1):
        with log.backend.transaction() as cur:  # a new row and an old one change together
            cur.execute("INSERT INTO hitl_decisions (thread_id, interrupt_id, action,"
                        " decision, reviewer, decided_at, args) VALUES ('w', ?, 'tool',"
                        " 'approve', 'policy:bulk', ?, ?)", (f"i{n}", time.time(),
                                                             '{"n": %d}' % n))
            cur.execute("UPDATE hitl_decisions SET comment = ? WHERE id = ?",
                        (str(n), 1 + n % 5))
        time.sleep(0.002)
    print("done", flush=True)
""")

#: Loads ``log`` until it holds the writer's last row, checking each frame is one
#: snapshot of `WRITER`'s log (whose first row has {"n": 0}); counts them in ``reads``.
CHECKED_LOADS = textwrap.dedent("""
    reads, deadline = 0, time.time() + 90
    while time.time() < deadline:
        df = log.to_pandas()
        ns = [a["n"] for a in df["args"]]
        assert ns == list(range(len(ns))), "a gap or a half-written row"
        last = len(ns) - 1
        for k in range(max(1, last - 4), last + 1):  # the old rows the last writes changed
            assert df["comment"].iloc[k % 5] == str(k), "rows from two snapshots"
        reads += 1
        if last == int(sys.argv[2]):
            break
""")


def reader_and_writer(db: str, reader: str, writer: str, total: int, *,
                      ready: bool = True) -> str:
    """Run ``reader`` and ``writer`` (Python source; argv: ``db``, ``total``) at once and
    return what the reader printed. With ``ready``, the writer starts only once the
    reader printed ``ready``. Both must exit with status 0 within two minutes."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}

    def start(source: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", source, db, str(total)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    if ready:
        read = start(reader)
        assert read.stdout.readline().strip() == "ready"
        write = start(writer)
    else:
        write, read = start(writer), start(reader)
    _w_out, w_err = write.communicate(timeout=120)
    r_out, r_err = read.communicate(timeout=120)
    assert write.returncode == 0, w_err
    assert read.returncode == 0, r_err
    return r_out
