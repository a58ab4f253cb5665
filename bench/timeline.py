"""Where a test run's wall time goes, per test process, from ``ATLAS_TEST_TIMELINE=FILE uv run pytest``'s file.

Run with ``uv run python bench/timeline.py FILE``: for each process, its first start to its last end, the seconds
inside tests, the idle gaps between them, and its ten longest tests; then the run's span, and the whole machine's
busy and idle CPU seconds from the run's start to its end (Linux).
"""

from __future__ import annotations

import argparse
import collections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    args = parser.parse_args()
    phases = collections.defaultdict(list)
    machine = {}
    for line in open(args.file):
        worker, test, phase, start, seconds = line.rstrip("\n").split("\t")
        if worker == "machine":   # test is "start" or "end", phase the clock's ticks a second, seconds the ticks
            machine[test] = (float(start), int(phase), [int(t) for t in seconds.split()])
            continue
        phases[worker].append((float(start), float(seconds), test))
    first = min(s for rows in phases.values() for s, _, _ in rows)
    last = max(s + d for rows in phases.values() for s, d, _ in rows)
    for worker, rows in sorted(phases.items()):
        rows.sort()
        busy = sum(d for _, d, _ in rows)
        begin, end = rows[0][0], max(s + d for s, d, _ in rows)
        per_test = collections.Counter()
        for _, d, test in rows:
            per_test[test] += d
        print(f"{worker}: {begin - first:6.1f} s to {end - first:6.1f} s, {busy:6.1f} s in tests, "
              f"{end - begin - busy:5.1f} s between them, {len(per_test)} tests")
        for test, d in per_test.most_common(10):
            print(f"    {d:6.1f} s  {test}")
    print(f"span of the tests: {last - first:.1f} s")
    if {"start", "end"} <= machine.keys():
        (t0, hz, a), (t1, _, b) = machine["start"], machine["end"]
        spent = [(y - x) / hz for x, y in zip(a, b)]
        # /proc/stat's order: user, nice, system, idle, iowait, irq, softirq, steal (taken by the host).
        busy, idle, steal = sum(spent[:3]) + spent[5] + spent[6], spent[3] + spent[4], spent[7]
        print(f"the machine, run start to end ({t1 - t0:.1f} s): {busy:.1f} CPU seconds busy (every process, "
              f"Chromium's too), {idle:.1f} s idle, {steal:.1f} s taken by the host; {busy / (t1 - t0):.2f} cores "
              "busy on average")


if __name__ == "__main__":
    main()
