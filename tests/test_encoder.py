"""The sentence encoder's batching (its vectors serve matching and clustering)."""

from __future__ import annotations


def test_batches_keep_padding_small_and_cover_every_text_once() -> None:
    from narrascope.encoder import PADDING, batches

    lengths = [21, 78, 49, 10, 32, 63, 15, 27, 51, 52, 49, 32, 46, 61, 11, 30, 37, 48, 41, 34, 81, 11]
    grouped = batches(lengths, 4)
    assert sorted(i for batch in grouped for i in batch) == list(range(len(lengths)))
    for batch in grouped:
        widths = [lengths[i] + 2 for i in batch]
        assert len(batch) <= 4 and len(batch) * max(widths) <= (1 + PADDING) * sum(widths)
    assert len(batches([40] * 100, 32)) == 4  # equal lengths fill whole batches
