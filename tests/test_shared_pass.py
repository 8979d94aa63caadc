"""The shared pass (the check-worthiness model's ``read``): one run over each claim unit gives the
claims layer its scores and the taggers their token states."""

from __future__ import annotations

import numpy as np

from narrascope.annotators.checkworthy import WIDTH, load_checkworthy_model, units
from narrascope.models import load_spacy

SENTENCE = "The mayor said on Monday that the harbour plan was ready."


def test_token_states_follow_the_sentence_not_the_document() -> None:
    nlp, model = load_spacy(), load_checkworthy_model()
    alone = nlp(SENTENCE)
    inside = nlp("Rain fell all day in Springfield.\n\n" + SENTENCE)
    a, b = model.read([alone])[0].tokens, model.read([inside])[0].tokens
    assert a.shape == (len(alone), WIDTH) and b.shape == (len(inside), WIDTH)
    offset = len(inside) - len(alone)
    assert np.array_equal(a, b[offset:])  # each unit is run on its own
    spaces = [t.i for t in inside if t.is_space]
    assert spaces and not b[spaces].any()  # whitespace has no word pieces
    assert not np.allclose(b[inside[0].i], b[offset + 1])  # different words, different states


def test_token_states_of_a_word_change_with_its_context() -> None:
    nlp, model = load_spacy(), load_checkworthy_model()
    river, money = nlp("She sat on the bank of the river."), nlp("She paid the bank the money.")
    first = model.read([river])[0].tokens[next(t.i for t in river if t.text == "bank")]
    second = model.read([money])[0].tokens[next(t.i for t in money if t.text == "bank")]
    cosine = float(first @ second / np.linalg.norm(first) / np.linalg.norm(second))
    assert 0.2 < cosine < 0.98


def test_scores_are_what_scoring_the_units_gives_and_long_units_are_read_whole() -> None:
    nlp, model = load_spacy(), load_checkworthy_model()
    long = "The council approved " + ", ".join(f"{n} new buses for route {n}" for n in range(10, 40)) + "."
    text = f"Headline about buses\n{SENTENCE} It rained.\n\n{long}"
    doc = nlp(text)
    reading = model.read([doc])[0]
    assert reading.units == units(text, [(s.start_char, s.end_char) for s in doc.sents])
    assert all("\n" not in text[lo:hi] and text[lo:hi] == text[lo:hi].strip() for lo, hi in reading.units)
    assert "Headline about buses" in [text[lo:hi] for lo, hi in reading.units]  # cut at the line break
    assert reading.scores == model.scores([text[lo:hi] for lo, hi in reading.units])
    assert len(model.tokenizer.encode(long).ids) == model.max_len  # cut when scored ...
    words = [t.i for t in doc if not t.is_space]
    assert reading.tokens[words].any(axis=1).all()  # ... but every word of it has states


def test_a_model_without_hidden_states_says_so() -> None:
    import pytest

    from narrascope.annotators.checkworthy import CheckworthyModel, model_dir
    from narrascope.errors import ModelError

    model = CheckworthyModel(model_dir())
    assert model.has_states  # the shipped graph has its 'hidden' output
    model.has_states = False  # as an export from before the shared pass would be
    with pytest.raises(ModelError, match="no 'hidden' output"):
        model.read([load_spacy()(SENTENCE)])
