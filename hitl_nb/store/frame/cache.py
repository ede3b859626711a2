"""A columnar copy of a large SQLite log, so that loading it again takes a fraction of a second.

After `hitl_nb.store.frame.arrow` read a whole log of at least `MIN_ROWS` decisions, the typed
Arrow table is written next to the log as ``<log>-frame.arrow`` (Arrow IPC, uncompressed),
in a background thread. The next load memory-maps that file and reads from SQLite only
what changed since: rows above the copy's last id (AUTOINCREMENT ids only grow, and
SQLite has one writer at a time) and rows the ``hitl_changes`` triggers noted with a
higher ``rev`` (updated or deleted; `hitl_nb.store.schema.TRIGGERS`). Those are spliced into
the copy in id order without copying it, and categoricals get one sorted dictionary again.

A log whose triggers were dropped gets no copy, read or written. Otherwise the copy is
used only if it agrees with the log, checked in the reading snapshot: its schema, its
last row's key (thread, interrupt, action index) unless that row changed since, a
``rev`` not above the log's, and the row count after the splice. If not (an unreadable
file, a log replaced by another), the log is read in full and a new copy written; so is
a copy that needed many rows spliced in. Filters run as SQL on the log
(the matching ids), so they mean exactly what they mean without the copy.

Turn it off with ``DecisionLog(path, frame_cache=False)``. After restoring the log file
from a backup older than the copy, delete ``<log>-frame.arrow`` as well: the checks above
catch most such cases, not all.
"""

from __future__ import annotations

import glob
import json
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import TRIGGER_NAMES
from . import arrow as fa
from .arrow_types import schema, to_frame, typed
from .columns import CATEGORIES

#: Logs with fewer decisions load fast enough from SQLite: no copy is written for them.
MIN_ROWS = 100_000
#: Write copies in a background thread (`wait` joins them).
BACKGROUND = True
#: Changed rows are spliced in without copying the copy while there is at most one per
#: this many rows (each splice adds chunks); beyond that, one ``take`` copies it.
ROWS_PER_SPLICE = 1000
#: Write a fresh copy when the rows read from SQLite pass this share of the log, or when
#: more changed rows than this were spliced in.
REWRITE_SHARE, REWRITE_SPLICES = 0.05, 64
#: Chunks above which a copy is written with its chunks combined.
MAX_CHUNKS = 256
#: Seconds after which a temporary copy left behind is deleted by the next write.
ABANDONED_S = 3600.0
FORMAT = 1
_KEY = b"hitl_nb.frame_cache"
_writes: list[threading.Thread] = []


def path_for(db_file: str) -> Path:
    """Where the copy of the log stored at ``db_file`` lives."""
    return Path(db_file + "-frame.arrow")


def wait() -> None:
    """Return once the copies being written are on disk."""
    while _writes:
        _writes.pop().join()


def load(db: Any, where: str, params: tuple[Any, ...] | list[Any]) -> pd.DataFrame | None:
    """`hitl_nb.store.frame.arrow.load` with the copy: from it when it agrees with the log,
    else from SQLite (then a whole log of `MIN_ROWS` or more gets a new copy)."""
    if not (fa.ENABLED and fa.available()):
        return None
    try:
        with db.lock:
            file = fa.own_file(db)
            noted = file is not None and _noted(db.conn)
        if file is None:
            return None
        if not noted:  # changes would go unseen: no copy is read or written
            return fa.load(db, where, params)
        try:
            table = _from_copy(file, where, list(params))
        except fa.errors():  # the copy or its changes: read the log itself instead
            table = None
        if table is None:
            got = fa.read(db, where, params)
            if got is None:
                return None
            table, rev = got
            if not where and table.num_rows >= MIN_ROWS:
                save(path_for(file), table, rev)
        return to_frame(table)
    except fa.errors():
        return None


def _noted(conn: Any) -> bool:
    """Whether the log's triggers note its changes (someone may have dropped one)."""
    marks = ", ".join("?" for _ in TRIGGER_NAMES)
    (found,), = conn.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                             f" AND tbl_name = 'hitl_decisions' AND name IN ({marks})",
                             TRIGGER_NAMES).fetchall()
    return found == len(TRIGGER_NAMES)


# -- the copy --------------------------------------------------------------------------------
def _open(path: Path) -> tuple[Any, dict[str, Any]] | None:
    """(table, metadata) of the copy, memory-mapped; None if missing or unusable."""
    import pyarrow as pa

    try:
        reader = pa.ipc.open_file(pa.memory_map(str(path)))
        meta = json.loads(reader.schema.metadata[_KEY])
        table = reader.read_all()
    except (OSError, pa.ArrowException, KeyError, TypeError, ValueError):
        return None
    if not (isinstance(meta, dict) and meta.get("format") == FORMAT
            and isinstance(meta.get("last_id"), int) and isinstance(meta.get("rev"), int)
            and isinstance(meta.get("last_key"), list)) or not table.num_rows \
            or not table.schema.remove_metadata().equals(schema()):
        return None
    return table, meta


def save(path: Path, table: Any, rev: int) -> None:
    """Write ``table`` (a whole log as of ``rev``) as the copy at ``path``: to a temporary
    file, then renamed over the old copy, so readers see one or the other. Best effort:
    a read-only folder or a full disk leaves no copy, and nothing else changes."""
    last = table.slice(table.num_rows - 1).select(
        ["id", "thread_id", "interrupt_id", "action_index"]).to_pylist()[0]
    meta = {"format": FORMAT, "rev": rev, "last_id": last.pop("id"),
            "last_key": list(last.values())}
    if BACKGROUND:
        writer = threading.Thread(target=_write, args=(path, table, meta),
                                  name="hitl_nb frame copy")
        _writes[:] = [w for w in _writes if w.is_alive()] + [writer]
        writer.start()
    else:
        _write(path, table, meta)


def _write(path: Path, table: Any, meta: dict[str, Any]) -> None:
    import pyarrow as pa

    _remove_abandoned(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        if table.column(0).num_chunks > MAX_CHUNKS:
            table = table.combine_chunks()
        table = table.replace_schema_metadata({_KEY: json.dumps(meta)})
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
            out.write_table(table)
        os.replace(tmp, path)
    except (OSError, pa.ArrowException):
        pass
    finally:
        tmp.unlink(missing_ok=True)


def _remove_abandoned(path: Path) -> None:
    """Delete temporary copies older than `ABANDONED_S`: their writer was killed (a kernel
    restarted mid-write). A live write takes seconds, so it is never one of them."""
    import time

    for tmp in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
        try:
            if tmp.stat().st_mtime < time.time() - ABANDONED_S:
                tmp.unlink()
        except OSError:
            pass


# -- the copy plus what changed ----------------------------------------------------------------
def _from_copy(file: str, where: str, params: list[Any]) -> Any | None:
    """The typed table of the matching rows from the copy and the changes since, read in
    one snapshot; None if there is no usable copy."""
    path = path_for(file)
    opened = _open(path) if path.exists() else None
    if opened is None:
        return None
    copy, meta = opened
    conn = fa.connect(file)
    try:
        found = _changes(conn, copy, meta)
        if found is None:
            return None
        table, rewrite, rev = found
        if rewrite:
            save(path, table, rev)
        if where:
            keep = fa.query(conn, f"SELECT id FROM hitl_decisions {where}", params)
            table = _drop_unused(table.filter(_is_in(table.column("id"), keep.column(0))))
        return table
    finally:
        conn.close()


def _is_in(ids: Any, keep: Any) -> Any:
    import pyarrow.compute as pc

    return pc.is_in(ids, value_set=keep.combine_chunks().cast("int64"))


def _changes(conn: Any, copy: Any, meta: dict[str, Any]) -> tuple[Any, bool, int] | None:
    """(the whole log: the copy with its changes spliced in, whether to write it as the
    new copy, its ``rev``); None when the copy disagrees with the log."""
    last_id, rev = meta["last_id"], meta["rev"]
    count, now_rev, key = fa.query(
        conn, "SELECT (SELECT count(*) FROM hitl_decisions), (SELECT ifnull(max(rev), 0)"
        " FROM hitl_changes), (SELECT json_array(thread_id, interrupt_id, action_index)"
        " FROM hitl_decisions WHERE id = ?)", [last_id]).to_pylist()[0].values()
    if now_rev < rev:
        return None
    changed = np.asarray(fa.query(conn, "SELECT id FROM hitl_changes WHERE rev > ? ORDER BY"
                                   " id", [rev]).column(0).to_pylist(), dtype="int64")
    if (key is None or json.loads(key) != meta["last_key"]) and last_id not in changed:
        return None
    delta = typed(fa.select(conn, "WHERE id IN (SELECT id FROM hitl_changes WHERE rev > ?"
                             " UNION ALL SELECT id FROM hitl_decisions WHERE id > ?)",
                             [rev, last_id]))
    copy, delta = _one_dictionary(copy, delta)
    spliced = _splice(copy, changed, delta, last_id)
    if spliced is None or spliced[0].num_rows != count:
        return None
    merged, n = spliced
    if len(changed):  # an updated or deleted row may have held a category's last use
        merged = _drop_unused(merged)
    rewrite = merged.num_rows >= MIN_ROWS and (
        delta.num_rows > REWRITE_SHARE * merged.num_rows or n > REWRITE_SPLICES)
    return merged, rewrite, now_rev


def _splice(copy: Any, changed: np.ndarray, delta: Any, last_id: int
            ) -> tuple[Any, int] | None:
    """(the copy without its ``changed`` rows, the ``delta`` rows in their places, the
    new rows at the end; how many of the copy's rows were replaced or dropped). Slices
    share the copy's memory; past one per `ROWS_PER_SPLICE`, one ``take`` copies it."""
    import pyarrow as pa

    ids = copy.column("id").to_numpy()
    at = np.searchsorted(ids, changed)
    drop = at[(at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == changed)]
    new_ids = delta.column("id").to_numpy()
    old = int(np.searchsorted(new_ids, last_id, side="right"))  # delta rows <= last_id
    if not np.isin(new_ids[:old], ids[drop]).all():
        return None  # a row below the copy's last id that the copy never had
    if len(drop) * ROWS_PER_SPLICE > len(ids):
        keep = np.ones(len(ids), dtype=bool)
        keep[drop] = False
        rows = np.concatenate([np.flatnonzero(keep), len(ids) + np.arange(len(new_ids))])
        rows = rows[np.argsort(np.concatenate([ids[keep], new_ids]), kind="stable")]
        return pa.concat_tables([copy, delta]).take(rows), len(drop)
    pieces, start, j = [], 0, 0
    for p in drop.tolist():
        pieces.append(copy.slice(start, p - start))
        if j < old and new_ids[j] == ids[p]:
            pieces.append(delta.slice(j, 1))
            j += 1
        start = p + 1
    pieces += [copy.slice(start), delta.slice(old)]
    return pa.concat_tables(pieces), len(drop)


def _one_dictionary(copy: Any, delta: Any) -> tuple[Any, Any]:
    """Both tables with each categorical column coded against one sorted dictionary (the
    copy's, unless the delta brought new values): as the stdlib path sorts categories."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in CATEGORIES:
        have = copy.column(name).chunk(0).dictionary
        extra = [c.dictionary for c in delta.column(name).chunks]
        values = pc.unique(pa.concat_arrays([have, *extra]))
        values = values.take(pc.array_sort_indices(values))
        if not values.equals(have):
            copy = _recode(copy, name, values)
        delta = _recode(delta, name, values)
    return copy, delta


def _drop_unused(table: Any) -> Any:
    """``table`` without the categories no row uses (as the stdlib path has none)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in CATEGORIES:
        col = table.column(name)
        have = col.chunk(0).dictionary if col.num_chunks else None
        if have is None:
            continue
        used = pc.unique(pa.chunked_array([c.indices for c in col.chunks], type=pa.int32()))
        used = used.drop_null()
        if len(used) < len(have):  # codes in order keep the dictionary sorted
            table = _recode(table, name, have.take(used.take(pc.sort_indices(used))))
    return table


def _recode(table: Any, name: str, values: Any) -> Any:
    """``table`` with column ``name`` coded against ``values`` (which hold all of its)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = table.column(name)
    chunks = [pa.DictionaryArray.from_arrays(
        pc.index_in(c.dictionary, value_set=values).take(c.indices), values)
        for c in col.chunks]
    return table.set_column(table.schema.get_field_index(name), name,
                            pa.chunked_array(chunks, type=col.type))
