"""The near-copy rung's band table: what a dict of row lists would answer, in compact arrays."""

from __future__ import annotations

import random

import numpy as np

from narrascope.matching.bands import BandTable


def test_the_table_answers_as_a_dict_of_row_lists_across_merges() -> None:
    rng = random.Random(3)
    table = BandTable()
    truth: dict[int, list[int]] = {}
    row = 0
    while row < 400:  # batches of 1 to 40 documents: runs of many sizes, merged as they come
        batch = rng.randint(1, 40)
        keys = np.array(
            [[rng.randrange(60) for _ in range(4)] + [rng.getrandbits(64) for _ in range(2)] for _ in range(batch)],
            dtype=np.uint64,
        )
        which, found = table.find(keys)
        expected = sorted({(n, r) for n, ks in enumerate(keys.tolist()) for k in ks for r in truth.get(k, [])})
        assert list(zip(which.tolist(), found.tolist(), strict=True)) == expected
        table.put(keys, np.arange(row, row + batch))
        for n, ks in enumerate(keys.tolist()):
            for key in ks:
                truth.setdefault(key, []).append(row + n)
        row += batch
    assert len(table) == sum(len(rows) for rows in truth.values()) and len(table._runs) > 1
    keys, rows = table.arrays()
    assert np.all(keys[:-1] <= keys[1:])  # sorted by key, ...
    for key in (0, 7, 59):  # ... the rows of a key in the order they were put
        assert rows[keys == key].tolist() == truth[key]
    again = BandTable.from_arrays(keys[::-1].copy(), rows[::-1].copy())
    assert again.find(np.array([[7]], dtype=np.uint64))[1].tolist() == sorted(set(truth[7]))
    assert again.arrays()[1][keys == 7].tolist() == truth[7][::-1]
    assert [len(a) for a in table.find(np.array([[2**64 - 1]], dtype=np.uint64))] == [0, 0]
