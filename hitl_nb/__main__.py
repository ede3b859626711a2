"""Command line: ``python -m hitl_nb export hitl.db --sft out.jsonl`` (also ``hitl-nb``).

Example::

    python -m hitl_nb export hitl.db --sft sft.jsonl --preferences prefs.jsonl \\
        --csv decisions.csv --parquet decisions.parquet
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hitl_nb",
                                     description="hitl_nb decision-log tools")
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="export a decision log for analysis or training")
    export.add_argument("log", help="the decision log: a SQLite path or a postgresql:// URL")
    export.add_argument("--sft", metavar="PATH", help="chat-format JSONL (approved/edited)")
    export.add_argument("--preferences", metavar="PATH",
                        help="prompt/chosen/rejected JSONL (edits, rejections)")
    export.add_argument("--csv", metavar="PATH", help="every decision as CSV")
    export.add_argument("--parquet", metavar="PATH", help="every decision as Parquet (pyarrow)")
    opts = parser.parse_args(argv)
    if not any((opts.sft, opts.preferences, opts.csv, opts.parquet)):
        parser.error("export needs at least one of --sft, --preferences, --csv, --parquet")

    import os

    from . import HitlError
    from ._export import export_preferences, export_sft, to_csv, to_parquet
    from .log import DecisionLog

    target = opts.log
    if "://" not in target and not os.path.exists(target):
        print(f"error: no decision log at {target!r}", file=sys.stderr)
        return 2
    try:
        log = DecisionLog(target)
        df = log.to_pandas()
        for path, write, what in ((opts.sft, export_sft, "SFT examples"),
                                  (opts.preferences, export_preferences, "preference pairs"),
                                  (opts.csv, to_csv, "rows (CSV)"),
                                  (opts.parquet, to_parquet, "rows (Parquet)")):
            if path:
                print(f"{path}: {write(df, path)} {what}")
    except (HitlError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
