"""The Admin page's job process: check an upload or rebuild the atlas, away from the process serving readers.

``python -m core.serve.admin_job check|publish STAGED PUBLISHED RESULT``. It writes its answer to RESULT and exits 0
(a pickled Preview, or the new build info), or 2 with the upload's InputError as JSON; any other failure exits 1
with its traceback on stderr, which :func:`core.serve.admin._run_job` copies into the server log.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from pathlib import Path

from core.base.errors import InputError
from core.serve import admin


def run(kind: str, directory, published, progress=lambda _: None):
    """The job's work, whatever process it runs in: the upload's Preview ("check") or the new build info ("publish")."""
    if kind == "check":
        return admin.preview(published, admin.validate(directory, published))
    if kind == "publish":
        return admin.rebuild(directory, published, progress=progress)
    raise ValueError(f"unknown job {kind!r}")


def main(argv: list[str]) -> int:
    kind, directory, published, result = argv
    os.nice(10)  # readers' requests come first on a shared machine
    try:
        answer = run(kind, directory, published, progress=lambda text: print(text, flush=True))
    except InputError as exc:
        Path(result).write_text(json.dumps({"file": exc.file, "row": exc.row, "column": exc.column,
                                            "message": exc.message}))
        return 2
    with open(result, "wb") as fh:
        pickle.dump(answer, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
