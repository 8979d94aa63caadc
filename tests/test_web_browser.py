"""The web UI in a real browser: Playwright driving Debian's chromium against the real server.

Skipped (with the reason) when chromium or playwright is missing; ``make test`` installs
chromium first. Screenshots go to tests/artifacts/ (git-ignored) or $NARRASCOPE_TEST_ARTIFACTS.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from corpus_helpers import claim_articles, wire_and_locals
from narrascope.pipeline import Pipeline
from narrascope.store import Store
from narrascope.web import Settings, create_app
from narrascope.web.tokens import create_token

CHROMIUM = os.environ.get("NARRASCOPE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("NARRASCOPE_TEST_ARTIFACTS") or Path(__file__).parent / "artifacts")

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason=f"no chromium at {CHROMIUM}: `apt-get install -y chromium` (make test does) to run the browser tests",
)

HOSTILE = """Hostile page <script>window.__pwned = 1; alert("script")</script> here, John Smith said.
<img src=x onerror="window.__pwned = 2; alert('img')"> "It must never run," the officer told reporters.
<a href="javascript:alert('link')">click me</a> <svg onload="alert('svg')"></svg>
<iframe src="javascript:alert(1)"></iframe>
<style>body { display: none } mark { background: url(https://attacker.invalid/leak) }</style>
<span style="position:fixed;inset:0;background:red" onmouseover="alert('hover')">cover</span>
"}</style><script>alert(2)</script>
&lt;script&gt;alert(3)&lt;/script&gt; \u202eevil bidi\u202c and <marquee onstart=alert(4)>old tricks</marquee>."""
HOSTILE_JSON = json.dumps(
    {
        "title": "<script>alert('title')</script><img src=x onerror=alert('title-img')>",
        "outlet": '<b onmouseover="alert(5)">Evil Outlet</b>',
        "url": "javascript:alert('source')",
        "text": HOSTILE,
    }
)
CORPUS = [
    {"text": "Floods hit the northern province. Officials said 40 homes were damaged.", "outlet": "Alpha"},
    {"text": "The northern floods may have been worse than reported, experts suggest.", "outlet": "Beta"},
    {"text": "Grain exports rose by a tenth in March, the ministry said.", "outlet": "Alpha"},
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(db: str, nlp: Pipeline) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(create_app(Settings(db=db), nlp=nlp), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, nlp: Pipeline) -> Iterator[tuple[str, str]]:
    """The real app on a fresh store: (base URL, a write token)."""
    db = str(tmp_path_factory.mktemp("browser") / "corpus.db")
    with Store.open(db) as store:
        _, secret = create_token(store, "browser tests")
    with serve(db, nlp) as base:
        yield base, secret


@pytest.fixture(scope="module")
def coordinated(tmp_path_factory: pytest.TempPathFactory, nlp: Pipeline) -> Iterator[str]:
    """The real app on a store of stories in which two outlets run the same wire copy."""
    import narrascope
    from narrascope.ingest import from_record
    from narrascope.store.ingest import ingest
    from narrascope.store.inputs import Item
    from narrascope.stories.index import StoryIndex

    db = str(tmp_path_factory.mktemp("coordination") / "corpus.db")
    items = [Item(f"row {i}", from_record(row)) for i, row in enumerate(wire_and_locals())]
    with Store.open(db) as store:
        ingest(items, store, narrascope.load(["dates"]), batch_size=100, also=StoryIndex.load(store))
    with serve(db, nlp) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the python package playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)
    print(f"screenshot: {ARTIFACTS / name}.png")


def analyse_in_ui(page: Any, base: str, text: str) -> None:
    page.goto(f"{base}/analyse")
    page.fill("#text", text)
    page.click("form.analyse-form button[type=submit]")
    page.wait_for_selector("#article-text")


def test_worked_example_highlights_and_speaker(server: tuple[str, str], page: Any, sample_text: str) -> None:
    base, _ = server
    analyse_in_ui(page, base, sample_text)
    assert page.locator("#article-text mark.l-quotes").count() > 0
    assert page.locator("#article-text mark.l-techniques").count() > 0
    assert page.locator(".claims-table table tbody tr").count() > 0
    assert page.locator(".bars .bar-row").count() > 1  # the sourcing chart
    # a speaker with at least two distinct quotes, and one of their quote marks
    token = page.evaluate(
        """() => {
        const seen = {};
        for (const m of document.querySelectorAll('#article-text mark.l-quotes')) {
          const spk = [...m.classList].find(c => c.startsWith('spk-'));
          if (spk) { (seen[spk] = seen[spk] || new Set()).add(m.title); }
        }
        return Object.keys(seen).find(k => seen[k].size >= 2);
    }"""
    )
    assert token, "the worked example has a speaker with several quotes"
    marks = page.locator(f"#article-text mark.l-quotes.{token}")
    # a click picks the innermost quote under the pointer, and a long mark wraps over lines, where
    # the centre of its box can lie on another quote: click this mark itself, one without nested quotes
    page.locator(f"#article-text mark.l-quotes.{token}:not(:has(mark.l-quotes))").first.dispatch_event("click")
    picked = page.locator("#article-text mark.speaker-picked")
    assert picked.count() >= marks.count() >= 2
    assert page.locator(f"#article-text mark.speaker-picked:not(.{token})").count() == 0
    assert page.locator(f"tr.{token}.speaker-picked").count() >= 2  # their rows in the quotes table
    assert "quote" in page.inner_text("#speaker-status")
    assert page.inner_text("#evidence").strip() != "Nothing selected."
    shot(page, "analyse-speaker-picked")
    page.keyboard.press("Escape")
    assert picked.count() == 0
    # keyboard: a highlight takes focus, and Enter picks its speaker
    marks.nth(1).focus()
    page.keyboard.press("Enter")
    assert page.locator("#article-text mark.speaker-picked").count() >= 2
    # a layer toggles off
    page.uncheck("#layer-techniques")
    colour = page.eval_on_selector("#article-text mark.l-techniques", "m => getComputedStyle(m).backgroundImage")
    assert colour == "none"


def test_corpus_search_with_facets(server: tuple[str, str], page: Any) -> None:
    base, secret = server
    stored = httpx.post(
        f"{base}/api/ingest", json={"documents": CORPUS}, headers={"Authorization": f"Bearer {secret}"}, timeout=120
    )
    assert stored.status_code == 200 and len(stored.json()["ids"]) == 3
    page.goto(f"{base}/corpus")
    page.fill("#q", "floods")
    page.click("form.search-form button[type=submit]")
    page.wait_for_selector("ol.hits")
    assert page.locator("li.hit").count() == 2
    assert page.locator("li.hit mark.hit-word").count() >= 2
    shot(page, "corpus-search")
    page.click("a.facet[data-facet=outlet] >> text=Beta")
    page.wait_for_url("**outlet=Beta**")
    assert page.locator("li.hit").count() == 1
    page.click("li.hit a.hit-title")
    page.wait_for_selector("#article-text")
    assert "/documents/" in page.url and "floods" in page.inner_text("#article-text")


def test_hostile_content_never_runs(server: tuple[str, str], page: Any) -> None:
    base, secret = server
    events: list[str] = []
    page.on("dialog", lambda dialog: (events.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda message: events.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: events.append(f"page error: {error}"))
    page.on("request", lambda request: None if request.url.startswith(base) else events.append(request.url))

    def assert_inert(where: str) -> None:
        for mark in page.locator("#article-text mark").all()[:25]:  # hover and click some highlights too
            mark.hover()
            mark.click()
        found = page.evaluate(
            """() => ({
            pwned: window.__pwned ?? null,
            scripts: [...document.scripts].map(s => s.getAttribute('src')),
            handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
                .filter(a => a.name.startsWith('on')).map(a => e.tagName + '.' + a.name)),
            jsLinks: [...document.querySelectorAll('[href],[src]')]
                .filter(e => /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src'))).length,
            styles: document.querySelectorAll('style').length,
            foreign: document.querySelectorAll('#main img, #main svg, #main iframe, #main marquee, #main b').length,
            visible: getComputedStyle(document.body).display,
        })"""
        )
        assert events == [], (where, events)
        assert found == {
            "pwned": None,
            "scripts": ["/static/app.js"],
            "handlers": [],
            "jsLinks": 0,
            "styles": 1,
            "foreign": 0,
            "visible": "block",
        }, where

    analyse_in_ui(page, base, HOSTILE)
    assert "<script>window.__pwned" in page.inner_text("#article-text")  # shown as text
    assert_inert("pasted text")
    shot(page, "hostile-text")

    analyse_in_ui(page, base, HOSTILE_JSON)
    assert "<script>alert('title')" in page.inner_text("main header h1")
    assert_inert("pasted JSON article")

    stored = httpx.post(
        f"{base}/api/ingest",
        json={"documents": [json.loads(HOSTILE_JSON)]},
        headers={"Authorization": f"Bearer {secret}"},
        timeout=120,
    )
    assert stored.status_code == 200, stored.text
    page.goto(f"{base}/documents/{stored.json()['ids'][0]}")
    assert_inert("stored document page")
    page.goto(f"{base}/corpus?q=hostile")
    assert page.locator("li.hit").count() >= 1
    assert events == [] and page.locator("#main script, #main [onerror], #main [onload]").count() == 0
    shot(page, "hostile-document")


def test_coordination_network_opens_an_edges_evidence(coordinated: str, page: Any) -> None:
    """The network draws; choosing the wire pair (from the table, then from the graph itself)
    shows its evidence: syndication, the stories and both documents of each, with links."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{coordinated}/coordination?level=story&window=10m&permutations=1000")
    page.wait_for_function("() => window.narrascopeNetwork && window.narrascopeNetwork.edges().length > 0")
    assert page.locator("#network canvas").count() > 0
    button = page.locator("button.edge-evidence", has_text="Wire One – Wire Two")
    button.focus()
    page.keyboard.press("Enter")  # usable by keyboard
    panel = page.locator("#evidence")
    panel.locator("ol.co-actions li").first.wait_for()
    assert "syndication" in panel.inner_text() and panel.locator("ol.co-actions li").count() == 10
    assert (
        panel.locator("a[href^='/stories/S']").count() == 10 and panel.locator("a[href^='/documents/']").count() == 20
    )
    shot(page, "coordination-evidence")
    page.evaluate("() => { const e = window.narrascopeNetwork.edges()[0]; e.emit('tap'); }")
    assert "Evidence:" in panel.inner_text()
    story = panel.locator("a[href^='/stories/S']").first
    story.click()
    page.wait_for_selector("figure.timeline svg")
    assert "Wire One" in page.inner_text("main")
    assert not problems, problems


def test_claim_and_narrative_pages(server: tuple[str, str], page: Any) -> None:
    """Claims stored through the API: the Claims page lists the repeated claim, its page shows
    the timeline and each document's sentence, and the narrative page links back to it."""
    base, secret = server
    stored = httpx.post(
        f"{base}/api/ingest",
        json={"documents": claim_articles(0, 6)},
        headers={"Authorization": f"Bearer {secret}"},
        timeout=300,
    )
    assert stored.status_code == 200, stored.text
    page.goto(f"{base}/")
    page.click("nav >> text=Claims")
    page.wait_for_url("**/claims")
    page.click("table.stories tr:has-text('40 million euros') a")
    page.wait_for_selector("figure.timeline svg")
    assert page.locator("table.members tbody tr").count() == 2
    assert page.locator("table.members td:has-text('40 million euros')").count() == 2
    shot(page, "claim-page")
    page.goto(f"{base}/narratives")
    page.click("table.stories tr:has-text('40 million euros') a")
    page.wait_for_selector("table.members a[href^='/claims/K']")
    page.locator("table.members a[href^='/claims/K']").first.click()
    page.wait_for_selector("figure.timeline svg")
    assert "/claims/K" in page.url
