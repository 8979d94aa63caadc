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
