"""The shared read-only connection: many sessions' threads query it at once, and each gets its own answer."""

from __future__ import annotations

import threading

from core.store import db


def test_threads_share_one_read_only_connection(atlas_db):
    con = db.connect(atlas_db)
    expected = {i: db.query(con, "SELECT area_id, name FROM area WHERE area_id = ?", [i]) for i in range(1, 78)}
    errors: list[BaseException] = []
    answers: dict[tuple[int, int], object] = {}
    start = threading.Barrier(8)

    def worker(t: int) -> None:
        start.wait()
        try:
            for rep in range(40):
                i = (t * 40 + rep) % 77 + 1
                answers[(t, rep)] = (i, db.query(con, "SELECT area_id, name FROM area WHERE area_id = ?", [i]))
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever a thread raised
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert len(answers) == 8 * 40
    for i, frame in answers.values():
        assert frame.equals(expected[i])


def test_read_only_connection_refuses_writes(atlas_db):
    import duckdb
    import pytest

    con = db.connect(atlas_db)
    with pytest.raises(duckdb.Error):
        db.query(con, "DELETE FROM area")
    assert len(db.query(con, "SELECT * FROM area")) == 77
