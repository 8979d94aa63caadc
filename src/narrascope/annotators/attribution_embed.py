"""The attribution tagger's token embedding: its own hashed features beside the shared pipeline's
contextual vectors.

The shared English pipeline has already run its tok2vec over every document and left the
result in ``doc.tensor``; reading it costs nothing and brings context the tagger's small
encoder cannot see. The tensor is frozen (no gradient flows into the shared pipeline);
the hashed features (NORM, PREFIX, SUFFIX, SHAPE, LEMMA, TAG, DEP) are learnt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.util import registry
from thinc.api import Maxout, Model, chain, concatenate, with_array

__all__ = ["ARCHITECTURE", "hashed_and_tensor"]

ARCHITECTURE = "narrascope.HashedAndTensor.v1"


def _tensor_forward(model: Model[Any, Any], docs: list[Any], is_train: bool) -> tuple[list[Any], Callable[..., Any]]:
    ops = model.ops
    width = model.get_dim("nO")
    arrays = [ops.asarray2f(doc.tensor) if doc.tensor.size else ops.alloc2f(len(doc), width) for doc in docs]

    def backprop(d_arrays: list[Any]) -> list[Any]:
        return []

    return arrays, backprop


def _doc_tensor(width: int) -> Model[Any, Any]:
    return Model("doc_tensor", _tensor_forward, dims={"nO": width})


def hashed_and_tensor(width: int, attrs: list[str], rows: list[int], tensor_width: int) -> Model[Any, Any]:
    """Hashed token features (``width``) and the frozen ``doc.tensor`` (``tensor_width``), mixed
    down to ``width`` by one maxout layer."""
    from spacy.ml.models.tok2vec import MultiHashEmbed

    hashed = MultiHashEmbed(width=width, attrs=attrs, rows=rows, include_static_vectors=False)
    mix = Maxout(nO=width, nI=width + tensor_width, nP=3, normalize=True)
    model: Model[Any, Any] = chain(concatenate(hashed, _doc_tensor(tensor_width)), with_array(mix))
    return model


if ARCHITECTURE not in registry.architectures.get_all():
    registry.architectures.register(ARCHITECTURE, func=hashed_and_tensor)
