"""The shared sentence encoder's token states: what a tagger reads beside its own features."""

from __future__ import annotations

import numpy as np

from narrascope.encoder import DIM, load_encoder
from narrascope.models import load_spacy


def test_token_states_follow_the_sentence_not_the_document() -> None:
    nlp, encoder = load_spacy(), load_encoder()
    sentence = "The mayor said on Monday that the harbour plan was ready."
    alone = nlp(sentence)
    inside = nlp("Rain fell all day in Springfield.\n\n" + sentence)
    a, b = encoder.token_states(alone), encoder.token_states(inside)
    assert a.shape == (len(alone), DIM) and b.shape == (len(inside), DIM)
    offset = len(inside) - len(alone)
    assert np.allclose(a, b[offset:], atol=1e-5)  # each sentence is encoded on its own
    spaces = [t.i for t in inside if t.is_space]
    assert spaces and not b[spaces].any()  # whitespace has no word pieces
    assert not np.allclose(b[inside[0].i], b[offset + 1])  # different words, different states


def test_token_states_of_a_word_change_with_its_context() -> None:
    nlp, encoder = load_spacy(), load_encoder()
    river, money = nlp("She sat on the bank of the river."), nlp("She paid the bank the money.")
    first = encoder.token_states(river)[next(t.i for t in river if t.text == "bank")]
    second = encoder.token_states(money)[next(t.i for t in money if t.text == "bank")]
    cosine = float(first @ second / np.linalg.norm(first) / np.linalg.norm(second))
    assert 0.2 < cosine < 0.98


def test_one_pass_gives_the_sentence_vectors_and_batch_mates_change_nothing() -> None:
    nlp, encoder = load_spacy(), load_encoder()
    docs = [
        nlp("The mayor said on Monday that the harbour plan was ready. Critics disagreed.\n\nIt rained."),
        nlp("A much longer second document, about ferries, tides and the budget of a small port town, follows."),
    ]
    together = encoder.read(docs)
    for doc, encoded in zip(docs, together, strict=True):
        sentences = [s.text for s in doc.sents]
        assert encoded.sentences.shape == (len(sentences), DIM) and encoded.tokens.shape == (len(doc), DIM)
        blank = [i for i, text in enumerate(sentences) if not text.strip()]
        filled = [i for i, text in enumerate(sentences) if text.strip()]
        assert np.allclose(encoded.sentences[filled], encoder.encode([sentences[i] for i in filled]), atol=1e-5)
        assert not encoded.sentences[blank].any()
    alone = encoder.read(docs[:1])[0]
    assert np.array_equal(alone.tokens, together[0].tokens) and np.array_equal(alone.sentences, together[0].sentences)


def test_batches_keep_padding_small_and_cover_every_text_once() -> None:
    from narrascope.encoder import PADDING, batches

    lengths = [21, 78, 49, 10, 32, 63, 15, 27, 51, 52, 49, 32, 46, 61, 11, 30, 37, 48, 41, 34, 81, 11]
    grouped = batches(lengths, 4)
    assert sorted(i for batch in grouped for i in batch) == list(range(len(lengths)))
    for batch in grouped:
        widths = [lengths[i] + 2 for i in batch]
        assert len(batch) <= 4 and len(batch) * max(widths) <= (1 + PADDING) * sum(widths)
    assert len(batches([40] * 100, 32)) == 4  # equal lengths fill whole batches
