"""narrascope: read news the way a disinformation researcher does, and show the evidence.

>>> import narrascope
>>> nlp = narrascope.load()
>>> analysis = nlp("MOSCOW, Jan 6 (Reuters) - ...")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from narrascope.pipeline import Pipeline


def load(
    annotators: list[str] | None = None, gazetteer: Path | str | None = None, factchecks: Path | str | None = None
) -> Pipeline:
    """The analysis pipeline: ingest, the shared parse, then the annotators (all by default);
    with *factchecks* (a store holding fact-check records), each check-worthy claim's matches."""
    from narrascope.pipeline import DEFAULT, Pipeline

    return Pipeline(annotators or DEFAULT, Path(gazetteer) if gazetteer else None, factchecks)


__all__ = ["__version__", "load"]
