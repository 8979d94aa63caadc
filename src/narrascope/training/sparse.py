"""Binary bag-of-features matrices for the linear models trained here (hedges, techniques)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

__all__ = ["binary_matrix", "counted_vocabulary"]


def counted_vocabulary(rows: Sequence[set[str]], min_count: int) -> dict[str, int]:
    """Feature → column for the features present in at least *min_count* rows, sorted."""
    seen = Counter(f for row in rows for f in row)
    return {f: i for i, f in enumerate(sorted(f for f, n in seen.items() if n >= min_count))}


def binary_matrix(rows: Sequence[set[str]], vocabulary: dict[str, int], dtype: Any = float) -> Any:
    """A CSR matrix with a 1 where a row has a vocabulary feature (others are ignored)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    indptr, indices = [0], []
    for row in rows:
        indices.extend(sorted(vocabulary[f] for f in row if f in vocabulary))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=dtype)
    return csr_matrix((data, indices, indptr), shape=(len(rows), len(vocabulary)))
