"""Checks a bounded flow-table day file against the unbounded one, with Python's csv module only
(nothing shared with netlog's code): per bucket, count and bytes sum to the same totals; at most
TOP + 1 rows per bucket; every kept row is the unbounded row with the same key, unchanged; the folded
row's key columns all read "(other)"; and, with the generator's expectations (sample load --expected),
the day's totals equal the generated flows.

Usage: python3 bench/check-bound.py UNBOUNDED.csv BOUNDED.csv TOP [EXPECTED.json DAY CATEGORY]
"""
import csv
import json
import sys
from collections import defaultdict


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def main():
    unbounded_path, bounded_path, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
    header, full = read(unbounded_path)
    header_b, bounded = read(bounded_path)
    assert header == header_b, (header, header_b)
    nkeys = header.index("count") - 1
    totals = lambda rows: _totals(rows, nkeys)
    a, b = totals(full), totals(bounded)
    assert a == b, "bucket totals differ"
    by_key = {tuple(r[: 1 + nkeys]): r for r in full}
    per_bucket = defaultdict(int)
    others = 0
    for r in bounded:
        per_bucket[r[0]] += 1
        if all(k == "(other)" for k in r[1 : 1 + nkeys]):
            others += 1
            continue
        assert by_key[tuple(r[: 1 + nkeys])] == r, f"kept row changed: {r}"
    assert max(per_bucket.values()) <= top + 1, max(per_bucket.values())
    count = sum(v[0] for v in a.values())
    nbytes = sum(v[1] for v in a.values())
    print(
        f"{bounded_path}: {len(a)} buckets, totals equal per bucket (count {count}, bytes {nbytes}); "
        f"{len(full)} -> {len(bounded)} rows, {others} other rows, at most {max(per_bucket.values())} rows a bucket"
    )
    if len(sys.argv) > 4:
        expected = json.load(open(sys.argv[4]))["days"][sys.argv[5]]["flows"][sys.argv[6]]
        assert (count, nbytes) == (expected["count"], expected["bytes"]), (count, nbytes, expected)
        print(f"  = the generator's {sys.argv[6]} flows: count {expected['count']}, bytes {expected['bytes']}")


def _totals(rows, nkeys):
    out = defaultdict(lambda: [0, 0])
    for r in rows:
        out[r[0]][0] += int(r[1 + nkeys])
        out[r[0]][1] += int(r[2 + nkeys])
    return {k: tuple(v) for k, v in out.items()}


main()
