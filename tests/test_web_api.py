"""The HTTP API through FastAPI's TestClient on temporary SQLite stores: analyse, documents,
search, ingest, tokens, limits, one-line errors; and Schemathesis over /openapi.json."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conftest import POSTGRES, postgres_reachable
from corpus_helpers import claim_articles
from narrascope.cli import app as cli_app
from narrascope.pipeline import Pipeline
from narrascope.store import Store
from narrascope.store.store import scratch_schema
from narrascope.web import Settings, create_app
from narrascope.web.tokens import create_token, revoke_token

SHORT = (
    "MOSCOW, 6 January. The minister said the talks were likely to fail. "
    '"We will not accept this," Ivan Petrov told reporters on Thursday.'
)
DOCS = [
    {
        "text": "Floods hit the northern province. Officials said 40 homes were damaged.",
        "outlet": "Alpha",
        "published": "2022-01-06",
    },
    {"text": "The northern floods may have been worse than reported, experts suggest.", "outlet": "Beta"},
    {"text": "Grain exports rose by a tenth in March, the ministry said.", "outlet": "Alpha"},
]


def one_line(response: Any) -> str:
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail and "\n" not in detail, detail
    return detail


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, nlp: Pipeline) -> Iterator[tuple[TestClient, str]]:
    """A client on a fresh store, and a live token for it."""
    db = str(tmp_path_factory.mktemp("web") / "corpus.db")
    with Store.open(db) as store:
        _, secret = create_token(store, "tests")
    with TestClient(create_app(Settings(db=db), nlp=nlp)) as client:
        yield client, secret


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_analyse_sample(served: tuple[TestClient, str], sample_text: str) -> None:
    client, _ = served
    response = client.post("/api/analyse", json={"text": sample_text})
    assert response.status_code == 200
    analysis = response.json()
    assert analysis["quotes"] and analysis["techniques"] and analysis["claims"]
    assert any("Byal" in (q["speaker"]["name"] or "") for q in analysis["quotes"])
    # not stored without store=true
    assert client.get(f"/api/documents/{analysis['document']['id']}").status_code == 404


def test_analyse_file_and_store_needs_token(served: tuple[TestClient, str]) -> None:
    client, secret = served
    files = {"file": ("short.txt", SHORT.encode("cp1251"), "text/plain")}
    assert client.post("/api/analyse/file?store=true", files=files).status_code == 401
    response = client.post("/api/analyse/file?store=true", files=files, headers=auth(secret))
    assert response.status_code == 200, response.text
    doc_id = response.json()["document"]["id"]
    stored = client.get(f"/api/documents/{doc_id}")
    assert stored.status_code == 200 and stored.json()["document"]["text"] == response.json()["document"]["text"]
    assert client.get(f"/documents/{doc_id}").status_code == 200


def test_ingest_search_documents(served: tuple[TestClient, str]) -> None:
    client, secret = served
    assert client.post("/api/ingest", json={"documents": DOCS}).status_code == 401
    assert client.post("/api/ingest", json={"documents": DOCS}, headers=auth("nsc_wrong")).status_code == 401
    done = client.post("/api/ingest", json={"documents": DOCS}, headers=auth(secret)).json()
    assert (done["added"], done["already"], len(done["ids"])) == (3, 0, 3)
    again = client.post("/api/ingest", json={"documents": DOCS}, headers=auth(secret)).json()
    assert (again["added"], again["already"]) == (0, 3)
    lines = b'{"text": "Snow closed the mountain pass, police said.", "outlet": "Gamma"}\nnot json\n'
    files = [("files", ("batch.jsonl", lines, "application/x-ndjson")), ("files", ("a.txt", b"Rain.", "text/plain"))]
    batch = client.post("/api/ingest/files", files=files, headers=auth(secret)).json()
    assert batch["added"] == 2 and [f["origin"] for f in batch["failed"]] == ["batch.jsonl:2"]

    found = client.get("/api/search", params={"q": "floods"}).json()
    assert {hit["outlet"] for hit in found["items"]} == {"Alpha", "Beta"}
    assert all("flood" in hit["snippet"].lower() for hit in found["items"])
    assert {f["value"] for f in found["facets"]["outlet"]} == {"Alpha", "Beta"}
    assert found["facets"]["month"] == [{"value": "2022-01", "documents": 1}]
    january = client.get("/api/search", params={"q": "floods", "since": "2022-01", "until": "2022-01"}).json()
    assert [hit["outlet"] for hit in january["items"]] == ["Alpha"]
    alpha = client.get("/api/documents", params={"outlet": "Alpha", "limit": 1}).json()
    assert alpha["total"] == 2 and len(alpha["items"]) == 1 and alpha["next_offset"] == 1
    page2 = client.get("/api/documents", params={"outlet": "Alpha", "limit": 1, "offset": 1}).json()
    assert page2["next_offset"] is None and page2["items"][0]["id"] != alpha["items"][0]["id"]
    corpus = client.get("/corpus", params={"q": "floods"})
    assert corpus.status_code == 200 and "Beta" in corpus.text


def test_bad_inputs_are_one_line_4xx(served: tuple[TestClient, str]) -> None:
    client, _ = served
    cases = [
        (client.post("/api/analyse", json={"text": "   "}), 400),
        (client.post("/api/analyse", json={}), 400),
        (client.post("/api/analyse", json={"text": "a", "url": "https://example.org/"}), 400),
        (client.post("/api/analyse", json={"url": "ftp://example.org/x"}), 400),
        (client.post("/api/analyse", json={"text": 5}), 422),
        (client.post("/api/analyse", json={"text": "x", "extra": 1}), 422),
        (client.post("/api/analyse", content=b"{not json", headers={"content-type": "application/json"}), 422),
        (client.post("/api/analyse/file", files={"file": ("e.txt", b"", "text/plain")}), 400),
        (client.post("/api/analyse/file", files={"file": ("b.bin", bytes(range(256)) * 20, "x/y")}), 400),
        (client.get("/api/documents/not-an-id"), 422),
        (client.get("/api/documents/0123456789abcdef0123"), 404),
        (client.get("/api/documents", params={"since": "yesterday"}), 422),
        (client.get("/api/search", params={"limit": 0}), 422),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.status_code, response.text)
        one_line(response)


def test_url_analysis_refuses_private_addresses_unless_allowed(
    served: tuple[TestClient, str], tmp_path: Path, nlp: Pipeline
) -> None:
    client, _ = served
    (tmp_path / "article.txt").write_text(SHORT, encoding="utf-8")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/article.txt"
    try:
        refused = client.post("/api/analyse", json={"url": url})
        assert refused.status_code == 400 and "loopback" in one_line(refused)
        app = create_app(Settings(db=str(tmp_path / "p.db"), allow_private=True), nlp=nlp)
        with TestClient(app) as trusting:
            fetched = trusting.post("/api/analyse", json={"url": url})
        assert fetched.status_code == 200 and "Petrov" in fetched.json()["document"]["text"]
    finally:
        server.shutdown()


def test_size_and_time_limits(tmp_path: Path) -> None:
    class Slow:
        def __call__(self, document: Any) -> Any:
            time.sleep(1.5)
            raise AssertionError("the limit should have answered first")

    settings = Settings(db=str(tmp_path / "l.db"), max_bytes=2000, timeout=0.3)
    with TestClient(create_app(settings, nlp=cast(Pipeline, Slow()))) as client:
        big = client.post("/api/analyse", json={"text": "word " * 1000})
        assert big.status_code == 413 and "limit" in one_line(big)

        def chunks() -> Iterator[bytes]:  # no Content-Length: the bytes are counted as they come
            yield b'{"text": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}'

        chunked = client.post("/api/analyse", content=chunks(), headers={"content-type": "application/json"})
        assert chunked.status_code == 413
        slow = client.post("/api/analyse", json={"text": SHORT})
        assert slow.status_code == 504 and "0.3 s" in one_line(slow)


def test_revoked_token_is_refused(tmp_path: Path, nlp: Pipeline) -> None:
    db = str(tmp_path / "t.db")
    runner = CliRunner()
    created = runner.invoke(cli_app, ["token", "create", "ci bot", "--db", db])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    listed = runner.invoke(cli_app, ["token", "list", "--db", db]).stdout
    assert "ci bot" in listed and "live" in listed and secret not in listed
    token_id = listed.split()[0]
    with Store.open(db) as store:
        assert store.engine.dialect.name == "sqlite"
        with store.engine.connect() as connection:
            stored = connection.exec_driver_sql("SELECT hash FROM api_tokens").scalar_one()
        assert stored != secret and len(stored) == 64  # only the sha256 is kept
    with TestClient(create_app(Settings(db=db), nlp=nlp)) as client:
        body = {"documents": [DOCS[0]]}
        assert client.post("/api/ingest", json=body, headers=auth(secret)).status_code == 200
        assert runner.invoke(cli_app, ["token", "revoke", token_id, "--db", db]).exit_code == 0
        refused = client.post("/api/ingest", json=body, headers=auth(secret))
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    with Store.open(db) as store, pytest.raises(Exception, match="no live token"):
        revoke_token(store, token_id)


def test_pages_send_a_strict_csp(served: tuple[TestClient, str]) -> None:
    client, _ = served
    for path in ("/analyse", "/corpus", "/api/search", "/no/such/page"):
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe" not in csp and "default-src 'none'" in csp
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/assets/report.css").headers["content-type"].startswith("text/css")
    assert client.get("/openapi.json").json()["paths"]["/api/ingest"]["post"]["security"]


def test_schemathesis_finds_no_server_error(served: tuple[TestClient, str]) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    client, secret = served
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    for operation in schema.get_all_operations():
        op = operation.ok()
        small = "/analyse" in op.path or "/ingest" in op.path

        @settings(max_examples=3 if small else 8, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers=auth(secret), checks=[not_a_server_error])

        check()


def test_postgres_store(nlp: Pipeline) -> None:
    """The same API on PostgreSQL: tokens, ingest, search with facets (skipped when unreachable)."""
    reason = postgres_reachable()
    if reason is not None:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES}: {reason}")
    with scratch_schema(POSTGRES, "web") as url:
        with Store.open(url) as store:
            token_id, secret = create_token(store, "pg")
        with TestClient(create_app(Settings(db=url), nlp=nlp)) as client:
            assert client.post("/api/ingest", json={"documents": DOCS}, headers=auth(secret)).json()["added"] == 3
            found = client.get("/api/search", params={"q": "floods", "outlet": "Beta"}).json()
            assert [hit["outlet"] for hit in found["items"]] == ["Beta"] and found["facets"]["outlet"]
            with Store.open(url) as store:
                revoke_token(store, token_id)
            assert client.post("/api/ingest", json={"documents": DOCS}, headers=auth(secret)).status_code == 401


def test_bench_serve_loads_a_real_server() -> None:
    from narrascope.web.bench import bench_serve

    result = bench_serve(docs=60, clients=3, seconds=1.0, analyses=1)
    for kind in ("search", "document"):
        assert result[f"{kind}.requests"] > 0 and result[f"{kind}.errors"] == 0
        assert 0 < result[f"{kind}.p50_ms"] <= result[f"{kind}.p99_ms"]
    assert result["analyse.errors"] == 0 and result["analyse.p95_ms"] > 0


def test_analyses_match_the_stores_fact_check_records(tmp_path: Path) -> None:
    from narrascope.factchecks import FactCheck
    from narrascope.factchecks.store import FactCheckStore

    db = str(tmp_path / "checks.db")
    record = FactCheck.of(
        claim="NATO troops were secretly deployed to Kazakhstan in January 2022.",
        url="https://checks.example/nato",
        rating="False",
    )
    with Store.open(db) as store:
        FactCheckStore(store).add([record])
    text = (
        "Officials confirmed that NATO troops were secretly deployed to Kazakhstan in January 2022, "
        "the ministry said.\n\nThe weather was mild."
    )
    with TestClient(create_app(Settings(db=db))) as client:
        analysis = client.post("/api/analyse", json={"text": text}).json()
        page = client.post("/analyse", data={"text": text})
    matched = [c for c in analysis["claims"] if c["fact_checks"]]
    assert len(matched) == 1 and matched[0]["fact_checks"][0]["url"] == "https://checks.example/nato"
    assert page.status_code == 200 and "Fact-checks" in page.text and "checks.example/nato" in page.text


def test_stories_api_and_pages(served: tuple[TestClient, str]) -> None:
    """Documents stored through the API join stories; the list, one story with its members'
    evidence and timeline, and both pages (the chart is inline SVG without scripts)."""
    client, secret = served
    wire = "Parliament approved the emergency budget for flood relief late on Tuesday, the speaker said."
    batch = [
        {
            "text": wire,
            "title": "Parliament approves flood budget",
            "outlet": o,
            "published": f"2024-05-0{d}T0{d}:00:00",
        }
        for d, o in ((1, "Alpha"), (1, "Beta"), (2, "Gamma"))
    ]
    assert client.post("/api/ingest", json={"documents": batch}, headers=auth(secret)).status_code == 200
    listed = client.get("/api/stories", params={"min_size": 3}).json()
    story = next(s for s in listed if s["representative"] == "Parliament approves flood budget")
    assert story["size"] == 3 and story["first_seen"].startswith("2024-05-01") and story["rungs"] == {"exact": 2}
    one = client.get(f"/api/stories/{story['id']}")
    assert one.status_code == 200, one.text
    body = one.json()
    assert [m["rung"] for m in body["members"]] == [None, "exact", "exact"]
    assert body["timeline"]["days"] == ["2024-05-01", "2024-05-02"] and body["timeline"]["counts"] == [2, 1]
    assert client.get("/api/stories/S999999").status_code == 404
    assert client.get("/api/stories/x1").status_code == 422
    listing = client.get("/stories")
    assert listing.status_code == 200 and f'href="/stories/{story["id"]}"' in listing.text
    page = client.get(f"/stories/{story['id']}")
    assert page.status_code == 200 and "<svg" in page.text and "opened the story" in page.text
    assert "<script" not in page.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert client.get("/stories/S999999").status_code == 404


def test_claims_and_narratives_api_and_pages(served: tuple[TestClient, str]) -> None:
    """Claims stored through the API are clustered; lists, one claim with its members' sentences,
    one narrative, their pages, and coordination over claims."""
    client, secret = served
    done = client.post("/api/ingest", json={"documents": claim_articles(100, 6)}, headers=auth(secret))
    assert done.status_code == 200 and done.json()["added"] == 6
    listed = client.get("/api/claims", params={"min_size": 2}).json()
    fence = next(c for c in listed if "40 million euros" in c["representative"])
    assert fence["level"] == "claim" and fence["size"] == fence["documents"] == 2
    one = client.get(f"/api/claims/{fence['id']}").json()
    assert all("40 million euros" in m["text"] and m["item"].startswith(m["document_id"] + ":") for m in one["members"])
    assert [m["rung"] for m in one["members"]] == [None, "paraphrase"]
    narratives = client.get("/api/narratives", params={"min_size": 1}).json()
    assert narratives and all(n["level"] == "narrative" and n["id"].startswith("N") for n in narratives)
    frame = client.get(f"/api/narratives/{narratives[0]['id']}").json()
    assert {m["rung"] for m in frame["members"]} == {"claim"}
    assert client.get("/api/claims/K999999").status_code == 404 and client.get("/api/claims/S1").status_code == 422
    page = client.get(f"/claims/{fence['id']}")
    assert page.status_code == 200 and "40 million euros" in page.text and "opened the claim" in page.text
    assert client.get("/narratives").status_code == 200 and client.get("/claims").status_code == 200
    network = client.get("/api/coordination", params={"level": "claim", "window": "1d", "permutations": 50})
    assert network.status_code == 200 and network.json()["counts"]["objects"] >= 3
    assert client.get("/api/coordination", params={"level": "topic"}).status_code == 422


def test_coordination_api(served: tuple[TestClient, str]) -> None:
    client, _ = served
    found = client.get("/api/coordination", params={"window": "2h", "permutations": 50})
    assert found.status_code == 200, found.text
    body = found.json()
    assert "not intent or authenticity" in body["measured"] and isinstance(body["edges"], list)
    assert body["settings"]["window"] == 7200.0 and "left_out" in body
    for params, needle in (({"window": "soon"}, "window"), ({"window": "90d"}, "30 days")):
        bad = client.get("/api/coordination", params=params)
        assert bad.status_code == 422 and needle in one_line(bad)
    assert client.get("/api/coordination", params={"permutations": 5}).status_code == 422
    page = client.get("/coordination", params={"window": "2h", "permutations": 50})
    assert page.status_code == 200 and "Coordination" in page.text


def test_facets_count_exactly_the_documents_found(store: Store) -> None:
    """Facet counts over a list of ids (bound as one parameter) on SQLite and PostgreSQL."""
    import random
    from collections import Counter

    from narrascope.bench import fill_synthetic
    from narrascope.web.corpus import facet_counts

    fill_synthetic(store, 60, random.Random(1))
    ids = store.ids()[::3]
    rows = store.rows(ids)
    found = facet_counts(store, ids)
    outlets = Counter(r["outlet"] for r in rows if r["outlet"])
    assert dict(found["outlet"]) == dict(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))[:12])
    months = Counter(r["published"][:7] for r in rows if r["published"])
    assert found["month"] == sorted(months.items(), reverse=True)[:12]
    assert facet_counts(store, ["no such id"])["outlet"] == []
