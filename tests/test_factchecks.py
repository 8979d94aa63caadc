"""Fact-check records: importers, idempotent storage (SQLite and PostgreSQL), ClaimReview export,
matching, the claim-matching metrics, and the commands' one-line errors. Fixtures are our own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from narrascope.errors import InputError, ModelError
from narrascope.evaluation.claim_matching import (
    average_precision,
    evaluate_claim_matching,
    reciprocal_rank,
    score_rankings,
)
from narrascope.factchecks import FactCheck, read_records, to_claimreview
from narrascope.factchecks.bm25 import BM25, terms
from narrascope.factchecks.match import Matcher
from narrascope.factchecks.posts import normalise, segments
from narrascope.factchecks.store import FactCheckStore
from narrascope.model import Analysis, Claim, Document, Span, document_id
from narrascope.store import Store

CLI = [sys.executable, "-m", "narrascope.cli"]

REVIEWS = [
    {
        "@type": "ClaimReview",
        "claimReviewed": "NATO troops were secretly deployed to Kazakhstan in January 2022.",
        "headline": "No, NATO did not send troops to Kazakhstan",
        "url": "https://checks.example/nato-kazakhstan",
        "author": {"@type": "Organization", "name": "Example Check"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "itemReviewed": {"@type": "Claim", "author": {"name": "A blogger"}},
        "datePublished": "2022-01-10",
    },
    {
        "@type": "ClaimReview",
        "claimReviewed": "Drinking hot water cures viral infections.",
        "headline": "Hot water cures",
    },
]
TSV = (
    "\tvclaim\ttitle\n"
    "0\tThe Eiffel Tower will be demolished next year.\tIs the Eiffel Tower Being Torn Down?\n"
    "1\tA shark was photographed swimming on a flooded highway in Houston.\tShark on a Houston Highway?\n"
    '2\t"""Bananas"" from Ecuador carry a flesh-eating disease."\tFlesh-Eating Bananas?\n'  # CSV-quoted, as upstream
    "3\tThe moon landing footage was filmed in a studio in Nevada.\tWas the Moon Landing Faked?\n"
    "4\tA shark was photographed swimming on a flooded highway in Houston!\tShark on a Houston Highway?\n"
)
POSTS = (
    "date,id,title,countries,keywords,languages,outlets\n"
    '2021-02-18,https://euvsdisinfo.eu/report/a/,"Sanctions hurt only Europe, not Russia",'
    "Russia+EU,Sanctions,Russian,TASS - Russian\n"
)


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_claimreview_single_list_and_graph(tmp_path: Path) -> None:
    single = read_records(write(tmp_path / "one.json", json.dumps(REVIEWS[0])))
    listed = read_records(write(tmp_path / "list.jsonld", json.dumps(REVIEWS)))
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "name": "x"}, *REVIEWS]}
    graphed = read_records(write(tmp_path / "graph.json", json.dumps(graph)))
    assert len(single) == 1 and len(listed) == 2 and [r.id for r in graphed] == [r.id for r in listed]
    first = single[0]
    assert (first.rating, first.claimant, first.publisher, first.published) == (
        "False",
        "A blogger",
        "Example Check",
        "2022-01-10",
    )


def test_export_round_trips_to_the_same_ids(tmp_path: Path) -> None:
    records = read_records(write(tmp_path / "list.json", json.dumps(REVIEWS)))
    exported = {"@context": "https://schema.org", "@graph": [to_claimreview(r) for r in records]}
    again = read_records(write(tmp_path / "again.jsonld", json.dumps(exported)))
    assert [r.id for r in again] == [r.id for r in records]
    assert FactCheck.of("a", claim=" Same   claim ").id == FactCheck.of("b", claim="Same claim").id


def test_checkthat_and_euvsdisinfo_tables(tmp_path: Path) -> None:
    checkthat = read_records(write(tmp_path / "claims.tsv", TSV))
    assert [r.source_id for r in checkthat] == ["0", "1", "2", "3", "4"]
    assert checkthat[2].claim == '"Bananas" from Ecuador carry a flesh-eating disease.'
    csv_layout = read_records(write(tmp_path / "c.csv", "vclaim_id,vclaim,title\n7,Claim text here,Title\n"))
    assert csv_layout[0].source_id == "7" and csv_layout[0].origin == "checkthat"
    (tmp_path / "eu").mkdir()
    write(tmp_path / "eu" / "posts.csv", POSTS)
    case = read_records(tmp_path / "eu")[0]
    assert case.claim == "Sanctions hurt only Europe, not Russia" and case.url == "https://euvsdisinfo.eu/report/a/"
    assert case.claimant == "TASS - Russian" and case.published == "2021-02-18" and case.origin == "euvsdisinfo"


@pytest.mark.parametrize(
    ("name", "content", "fmt", "fragment"),
    [
        ("cut.json", json.dumps(REVIEWS)[:70], None, "not valid JSON"),
        ("none.json", json.dumps({"@type": "WebPage"}), None, "no fact-check records"),
        ("cols.tsv", "id\tclaim\n1\tx\n", "checkthat", "expected the columns"),
        ("cols.csv", "a,b\n1,2\n", None, "neither the CheckThat"),
        ("posts.csv", "date,id\n2020-01-01,u\n", "euvsdisinfo", "EUvsDisinfo columns"),
        ("blob.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00" + bytes(range(256)), None, "binary"),
        ("latin.tsv", "vclaim\ttitle\n\xe9t\xe9\tx\n".encode("latin-1"), None, "not UTF-8"),
        ("data.xml", "<x/>", None, "unknown fact-check format"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, name: str, content: str | bytes, fmt: str | None, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        read_records(write(tmp_path / name, content), fmt)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_store_is_idempotent_and_keeps_order_and_vectors(store: Store, tmp_path: Path) -> None:
    records = read_records(write(tmp_path / "claims.tsv", TSV))
    checks = FactCheckStore(store)
    assert checks.add(records[:3], batch_size=2) == 3
    assert checks.add(records, batch_size=2) == 2 and checks.add(records) == 0
    loaded, claims, titles = checks.load()
    assert [r.source_id for r in loaded] == ["0", "1", "2", "3", "4"] and checks.count() == 5
    assert claims.shape == titles.shape == (5, 384) and np.allclose(np.linalg.norm(claims, axis=1), 1, atol=1e-4)
    assert loaded[0] == records[0] and loaded[0].origin == "checkthat"


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    path = write(tmp_path_factory.mktemp("records") / "claims.tsv", TSV)
    records = read_records(path) + read_records(write(path.with_name("r.json"), json.dumps(REVIEWS)))
    with Store.open(path.with_name("m.db")) as store:
        FactCheckStore(store).add(records)
        return Matcher.from_store(store)


def test_matching_ranks_the_right_record_first_with_evidence(matcher: Matcher) -> None:
    found = matcher.match("Video shows a shark swimming along a flooded Houston freeway after the hurricane")
    best = found[0]
    assert best.record.source_id == "1" and [d.source_id for d in best.duplicates] == ["4"]
    assert {"shark", "houston"} <= set(best.terms) and "bm25" in best.rungs and best.score > matcher.model.threshold
    assert best.cosine_matching is not None and best.evidence()["cosine_matching"] == round(best.cosine_matching, 4)
    assert all(m.record.source_id != "4" for m in found)
    assert (
        matcher.match("Were foreign soldiers sent into Kazakhstan by the alliance?")[0].record.url == REVIEWS[0]["url"]
    )
    assert (
        matcher.match_many(["The Eiffel tower is going to be knocked down", "zzzz"], top=1)[0][0].record.source_id
        == "0"
    )


def test_posts_are_matched_as_their_words_and_parts(matcher: Matcher) -> None:
    tweet = "Wow &amp; look: #SharkOnTheHighway in @HoustonTX2020 pic.twitter.com/AbC123 https://t.co/x"
    assert normalise(tweet) == "Wow & look: Shark On The Highway in Houston TX 2020"
    assert normalise("A plain news sentence.") == "A plain news sentence."
    post = "The tower is coming down. Wow! So sad for Paris — Jane Doe (@jdoe) May 1, 2019"
    assert segments(post) == ["The tower is coming down.", "So sad for Paris", "Jane Doe (@jdoe) May 1, 2019"]
    found = matcher.match("#SharkAttack on a @Houston highway!! https://t.co/zz — Some One (@someone) May 1, 2019")
    assert found[0].record.source_id == "1" and {"shark", "houston"} <= set(found[0].terms)


def test_records_keep_claim_matching_vectors_and_get_them_when_missing(store: Store, tmp_path: Path) -> None:
    """Import stores the claim-matching encoder's vectors with each record; a record stored
    without them (imported before that encoder existed) gets them when a matcher needs them."""
    from narrascope.factchecks.matching_encoder import (
        PREFIX,
        embed_records,
        load_matching_encoder,
        matching_id,
        record_vectors,
    )
    from narrascope.factchecks.store import _insert_new, other_vectors, stored_vectors
    from narrascope.web.workers import _embed_records

    records = read_records(write(tmp_path / "claims.tsv", TSV))
    FactCheckStore(store).add(records)
    encoder = load_matching_encoder()
    assert encoder.version == matching_id() and encoder.version.startswith(PREFIX)
    assert set(stored_vectors(store, encoder.version)) == {r.id for r in records}
    with store.engine.begin() as connection:
        connection.execute(other_vectors.delete().where(other_vectors.c.record_id == records[1].id))
    vectors = record_vectors(store, records)
    assert vectors.shape == (5, 768) and len(stored_vectors(store, encoder.version)) == 5
    again = {"record_id": records[1].id, "encoder": encoder.version, "vector": b"late"}
    with store.engine.begin() as connection:  # a second process embedding the same record: skipped
        connection.execute(_insert_new(connection, other_vectors), [again])
    assert stored_vectors(store, encoder.version)[records[1].id] == vectors[1].astype("<f4").tobytes()
    assert np.allclose(np.linalg.norm(vectors.reshape(10, 384), axis=1), 1, atol=1e-3)
    with store.engine.begin() as connection:  # `serve --workers` embeds them once, before its workers start
        connection.execute(other_vectors.delete())
    _embed_records(store)
    assert set(stored_vectors(store, encoder.version)) == {r.id for r in records}
    load_matching_encoder.cache_clear()  # nothing left to embed: the model is not even loaded
    assert embed_records(store) == 0 and load_matching_encoder.cache_info().currsize == 0
    assert record_vectors(store, records).shape == (5, 768) and load_matching_encoder.cache_info().currsize == 0
    claim = encoder.encode(["Footage of a shark swimming down a flooded freeway in Texas"])[0]
    cosines = vectors[:, :384] @ claim  # the shark record (1) well above the tower, bananas and moon ones
    assert cosines[1] > max(cosines[[0, 2, 3]]) + 0.2


def test_train_claim_matching_without_torch_is_one_line(tmp_path: Path) -> None:
    try:
        import torch  # noqa: F401

        pytest.skip("torch is installed here: training would run")
    except ImportError:
        pass
    (tmp_path / "train").mkdir()
    done = subprocess.run([*CLI, "train", "claim-matching", "--data", str(tmp_path), "--output", str(tmp_path / "m")],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("narrascope: error: training needs the train extra")
    assert len(done.stderr.strip().splitlines()) == 1


def test_bm25_terms_and_scores() -> None:
    assert terms("The sharks of Houston, https://t.co/x") == ["shark", "houston"]
    index = BM25(["shark on a highway", "eiffel tower", "a shark and a shark"])
    scores = index.scores("sharks")
    assert scores[1] == 0 and scores[2] > scores[0] > 0
    assert index.top("tower", 5)[0].tolist() == [1] and index.top("nothing", 5)[0].size == 0


def test_metrics_on_a_hand_computed_example() -> None:
    assert average_precision(["a", "b", "c"], {"b"}, 1) == 0.0
    assert average_precision(["a", "b", "c"], {"b"}, 3) == 0.5
    assert average_precision(["b", "x", "c"], {"b", "c"}, 3) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision(["b", "x"], {"b", "c"}, 5) == 0.5
    assert reciprocal_rank(["x", "y", "b"], {"b"}) == pytest.approx(1 / 3) and reciprocal_rank(["x"], {"b"}) == 0.0
    metrics = score_rankings({"q1": ["b", "a"], "q2": ["x", "y", "c"]}, {"q1": {"b"}, "q2": {"c"}, "q3": {"z"}})
    assert metrics["map@1"] == pytest.approx(1 / 3) and metrics["map@3"] == pytest.approx((1 + 1 / 3) / 3)
    assert metrics["mrr"] == pytest.approx((1 + 1 / 3) / 3) and metrics["n"] == 3


def test_eval_reads_the_checkthat_layout(tmp_path: Path) -> None:
    write(tmp_path / "verified_claims.docs.tsv", TSV)
    (tmp_path / "dev").mkdir()
    write(
        tmp_path / "dev" / "tweets.queries.tsv", "\ttweet_content\n10\tShark swims on Houston highway\n11\tmoon hoax\n"
    )
    write(tmp_path / "dev" / "tweet-vclaim-pairs.qrels", "10\t0\t1\t1\n11 0 3 1\n")
    rows = evaluate_claim_matching(tmp_path, "dev", cache=tmp_path / "cache")
    assert rows["narrascope"]["map@1"] == 1.0 and rows["narrascope"]["n"] == 2
    assert set(rows["BM25 (this run)"]) >= {"map@1", "map@3", "map@5", "mrr", "n", "model"}
    with pytest.raises(InputError, match="no such file"):
        evaluate_claim_matching(tmp_path, "test")


def test_encoder_vectors_and_missing_files(tmp_path: Path) -> None:
    from narrascope.encoder import Encoder, _check, load_encoder

    encoder = load_encoder()
    texts = ["A short one.", "A much longer sentence about sharks on a flooded highway in Houston, Texas.", ""]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    assert together.dtype == np.float32 and np.allclose(together, alone, atol=1e-4)
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-4) and encoder.encode([]).shape == (0, 384)
    with pytest.raises(ModelError, match="missing"):
        _check(tmp_path / "model.onnx", "0" * 64)
    with pytest.raises(ModelError, match="sha256"):
        _check(write(tmp_path / "model.onnx", b"x"), "0" * 64)
    with pytest.raises(ModelError, match="cannot load"):
        Encoder(tmp_path / "model.onnx", tmp_path / "tokenizer.json")


class Done:
    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = code, stdout, stderr


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> object:
    """The real entry point (its one-line error handling included), in this process: fast."""
    from narrascope.cli import main

    def run(*args: str, db: Path | None = None) -> Done:
        monkeypatch.setattr(sys, "argv", ["narrascope", *args, *(["--db", str(db)] if db else [])])
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            main()
        out = capsys.readouterr()
        return Done(int(exited.value.code or 0), out.out, out.err)

    return run


def one_line_error(done: Done, fragment: str) -> None:
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1 and fragment in lines[0], done.stderr


def test_commands(tmp_path: Path, cli: Any) -> None:
    db = tmp_path / "c.db"
    one_line_error(cli("match", "anything", db=db), "no fact-check records")
    one_line_error(cli("factchecks", "import", str(write(tmp_path / "b.json", b"\x00\x01")), db=db), "binary")
    one_line_error(cli("factchecks", "import", str(tmp_path / "none.json"), db=db), "no such file")
    done = cli("factchecks", "import", str(write(tmp_path / "r.json", json.dumps(REVIEWS))), db=db)
    assert done.returncode == 0 and "2 added" in done.stdout, done.stderr
    one_line_error(cli("match", db=db), "give a claim TEXT or --document")
    one_line_error(cli("match", "--document", "nope", db=db), "no document nope")
    text = "NATO troops came to Kazakhstan. The weather was mild."
    claims = [
        Claim(id="C1", span=Span.of(text, 0, 31), claimant="outlet", certainty=0.9, checkworthy=0.99),
        Claim(id="C2", span=Span.of(text, 32, len(text)), claimant="outlet", certainty=0.9, checkworthy=0.01),
    ]
    with Store.open(db) as store:
        store.add([Analysis(document=Document(id=document_id("X", text), outlet="X", text=text), claims=claims)])
    done = cli("match", "--document", document_id("X", text), "--json", "--top", "1", db=db)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert [c["claim_id"] for c in result["claims"]] == ["C1"], done.stderr
    assert result["claims"][0]["matches"][0]["url"] == REVIEWS[0]["url"]
    out = tmp_path / "out.jsonld"
    assert cli("factchecks", "export", str(out), db=db).returncode == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["@graph"]) == 2
    one_line_error(cli("eval", "claim-matching", "--data", str(tmp_path / "no")), "no such folder")
    done = subprocess.run([*CLI, "match", "x", "--db", str(tmp_path / "new.db")], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_analysis_attaches_matching_records_to_check_worthy_claims_and_reports_show_them(
    tmp_path: Path, cli: Any
) -> None:
    import narrascope
    from narrascope.report import render

    db = tmp_path / "records.db"
    with Store.open(db) as store:
        FactCheckStore(store).add(read_records(write(tmp_path / "r.json", json.dumps(REVIEWS))))
    text = (
        "Officials confirmed that NATO troops were secretly deployed to Kazakhstan in January 2022, "
        "the ministry said on Monday.\n\nThe weather in Almaty was mild and sunny all week."
    )
    analysis = narrascope.load(factchecks=db)(text)
    matched = [c for c in analysis.claims if c.fact_checks]
    assert len(matched) == 1 and "NATO" in matched[0].span.text
    record = matched[0].fact_checks[0]
    assert record.url == REVIEWS[0]["url"] and record.rating == "False" and record.score >= 0.5
    assert record.rungs and record.cosine is not None and "kazakhstan" in record.bm25_terms
    assert record.cosine_matching is not None and 0.0 < record.cosine_matching <= 1.0
    assert analysis.models["factchecks"].startswith("2 records")
    assert Analysis.from_json(analysis.to_json()) == analysis
    for fmt in ("text", "md", "html"):
        report = render(analysis, fmt)
        assert "Fact-checks" in report and "1 claim matches a record" in report
        if fmt != "text":  # the terminal's table wraps long cells
            assert "NATO troops were secretly deployed" in report and "checks.example/nato-kazakhstan" in report
            assert f"matching cosine {record.cosine_matching:.2f}" in report
    plain = narrascope.load()(text)  # without records: nothing looked up, and the reports say nothing
    assert not any(c.fact_checks for c in plain.claims) and "Fact-checks" not in render(plain, "md")
    one_line_error(cli("analyze", "sample", "--factchecks", str(tmp_path / "none.db")), "no such store")
    with Store.open(tmp_path / "empty.db"):
        pass
    one_line_error(cli("analyze", "sample", "--factchecks", str(tmp_path / "empty.db")), "no fact-check records")
    done = cli("analyze", "sample", "--factchecks", str(db), "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["models"]["factchecks"].startswith("2 records")
