from __future__ import annotations

from narrascope.pipeline import Pipeline

RUSSIAN = (
    "Москва, 6 января. Эксперт Юрий Бялый заявил, что события в Казахстане спланированы. "
    "По словам Юрия Бялого, Назарбаев потерял влияние. Бялый добавил, что Россия поможет."
)


def test_russian_goes_through_natasha(nlp: Pipeline) -> None:
    analysis = nlp(RUSSIAN)
    assert analysis.document.language is not None and analysis.document.language.code == "ru"
    assert "natasha" in analysis.models
    people = [e for e in analysis.entities if e.type == "PERSON" and e.key == "iuri biali"]
    assert len(people) == 1 and people[0].name == "Юрий Бялый"
    assert {"Юрий Бялый", "Юрия Бялого", "Бялый"} <= set(people[0].variants)


def test_pipe_keeps_order_and_matches_single_calls(nlp: Pipeline, sample_text: str) -> None:
    items = [sample_text, "Angela Merkel met Emmanuel Macron in Paris on Monday. Merkel said little.", RUSSIAN]
    streamed = list(nlp.pipe(items, batch_size=2))
    assert [a.document.id for a in streamed] == [nlp(i).document.id for i in items]
    assert streamed[1].entities == nlp(items[1]).entities


def test_pipe_in_two_processes_gives_the_same_result(nlp: Pipeline, sample_text: str) -> None:
    items = [sample_text, "Angela Merkel met Emmanuel Macron in Paris on Monday. Merkel said little."]
    assert list(nlp.pipe(items, n_process=2, batch_size=1)) == list(nlp.pipe(items))


def test_surname_links_to_the_full_name(nlp: Pipeline) -> None:
    analysis = nlp("Angela Merkel met Emmanuel Macron in Paris on Monday. Merkel said little, and Macron spoke.")
    merkel = [e for e in analysis.entities if "Merkel" in e.variants]
    assert len(merkel) == 1 and merkel[0].name == "Angela Merkel" and len(merkel[0].mentions) == 2


def test_unsupported_language_gets_no_english_guesses(nlp: Pipeline) -> None:
    german = (
        "Die Bundesregierung hat am Montag in Berlin ein neues Gesetz beschlossen, sagte Olaf Scholz den Journalisten."
    )
    analysis = nlp(german)
    assert analysis.document.language is not None and analysis.document.language.code == "de"
    assert not analysis.document.language.supported
    assert analysis.entities == [] and analysis.quotes == []


def test_the_encoder_pass_runs_once_per_article_only_when_a_layer_reads_it() -> None:
    from typing import Any

    from narrascope.pipeline import REGISTRY, Work

    seen: list[Any] = []

    class Reader:
        name = "encoder-reader"
        needs_encoder = True

        def __call__(self, work: Work) -> None:
            seen.append(work.encoded)

    REGISTRY["encoder-reader"] = lambda config: Reader()
    try:
        reading = Pipeline(["entities", "encoder-reader"])
        texts = ["The mayor spoke. Then she left.", "Ferries ran late on Sunday.", RUSSIAN]
        list(reading.pipe(texts, batch_size=2))
        assert reading.encoder is not None and reading.timings["encoder"] > 0
        english = [e for e in seen if e is not None]
        assert len(seen) == 3 and len(english) == 2  # no English parse, no encoder pass (the Russian one)
        assert [len(e.units) for e in english] == [2, 1] and [len(e.scores) for e in english] == [2, 1]
        plain = Pipeline(["entities"])
        list(plain.pipe(texts[:1]))
        assert plain.encoder is None and "encoder" not in plain.timings
    finally:
        del REGISTRY["encoder-reader"]
