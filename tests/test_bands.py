"""The near-copy rung's band table: what a dict of row lists would answer, in compact arrays."""

from __future__ import annotations

import random

import numpy as np

from narrascope.matching.bands import BandTable


def test_the_table_answers_as_a_dict_of_row_lists_across_merges() -> None:
    rng = random.Random(3)
    table = BandTable(merge=50)  # merges every few documents, so most answers cross a merge
    truth: dict[int, list[int]] = {}
    for row in range(400):
        keys = [rng.randrange(60) for _ in range(4)] + [rng.getrandbits(64) for _ in range(2)]
        assert table.rows(keys) == {r for k in keys for r in truth.get(k, [])}
        table.put(keys, row)
        for key in keys:
            truth.setdefault(key, []).append(row)
    assert len(table) == sum(len(rows) for rows in truth.values())
    keys, rows = table.arrays()
    assert np.all(keys[:-1] <= keys[1:])  # sorted by key, ...
    for key in (0, 7, 59):  # ... the rows of a key in the order they were put
        assert rows[keys == key].tolist() == truth[key]
    again = BandTable.from_arrays(keys[::-1].copy(), rows[::-1].copy())
    assert again.rows([7]) == set(truth[7]) and again.arrays()[1][keys == 7].tolist() == truth[7][::-1]
    assert table.rows([2**64 - 1]) == set()
