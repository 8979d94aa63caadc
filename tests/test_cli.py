"""Bad input through the real command: one line on stderr, a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "narrascope.cli"]


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*CLI, *args], input=stdin, capture_output=True, timeout=120)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def assert_clean_failure(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("narrascope: error:") and fragment in lines[0], lines[0]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "empty": tmp_path / "empty.txt",
        "binary": tmp_path / "image.png",
        "huge": tmp_path / "huge.txt",
        "broken_html": tmp_path / "broken.html",
        "unknown_encoding": tmp_path / "unknown.txt",
    }
    paths["empty"].write_bytes(b"")
    paths["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    with paths["huge"].open("wb") as handle:
        handle.write(b"word " * (50 * 1024 * 1024 // 5))
    paths["broken_html"].write_bytes(b"<html><head><title>t</title><body><div><nav>menu<</div></span>")
    paths["unknown_encoding"].write_bytes(bytes([0x80 + (i * 37) % 0x20 for i in range(600)]))
    return paths


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("empty", "empty"),
        ("binary", "binary"),
        ("huge", "over the 20 MB limit"),
        ("broken_html", "no article text"),
        ("unknown_encoding", "encoding"),
    ],
)
def test_bad_files(files: dict[str, Path], name: str, fragment: str) -> None:
    assert_clean_failure(run("analyze", str(files[name])), fragment)


def test_missing_path() -> None:
    assert_clean_failure(run("analyze", "/no/such/article.txt"), "no such file")


def test_url_needs_fetch_flag() -> None:
    assert_clean_failure(run("analyze", "https://example.invalid/a"), "--fetch")


def test_unreachable_url() -> None:
    assert_clean_failure(run("analyze", "--fetch", "http://unreachable.invalid/article"), "cannot resolve host")


def test_loopback_url_is_refused() -> None:
    assert_clean_failure(run("analyze", "--fetch", "http://127.0.0.1:9/"), "loopback")


def test_unknown_forced_encoding(sample_file: Path) -> None:
    assert_clean_failure(run("analyze", "--encoding", "klingon-8", str(sample_file)), "unknown encoding")


def test_empty_stdin() -> None:
    assert_clean_failure(run("analyze", "-", stdin=b""), "empty")


def test_stdin_cp1251_is_repaired() -> None:
    text = "Москва, 6 января. Эксперт Юрий Бялый заявил журналистам, что ситуация в Казахстане ухудшилась."
    result = run("analyze", "-", "--format", "json", stdin=text.encode("cp1251"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "Юрий Бялый" in data["document"]["text"]
    assert any(i["code"] == "encoding-repaired" for i in data["document"]["issues"])


def test_schema_command_prints_a_versioned_schema() -> None:
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["version"] and schema["$id"].endswith(f"analysis-{schema['version']}.json")


def test_eval_missing_folder_is_one_line() -> None:
    assert_clean_failure(run("eval", "extraction", "--data", "/no/such/folder"), "no such folder")


def test_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "article.json"
    path.write_text('{"title": "A headline", "text": "The council met on Tuesday and')
    assert_clean_failure(run("analyze", str(path)), "truncated JSON")


def test_json_article(tmp_path: Path) -> None:
    path = tmp_path / "article.json"
    article = {
        "title": "Harbour plan",
        "outlet": "Coast Herald",
        "published": "2021-03-02",
        "text": "Mayor Jane Doe said on Monday that the harbour plan was approved. Doe thanked the council.",
    }
    path.write_text(json.dumps(article))
    result = run("analyze", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)["document"]
    assert document["title"] == "Harbour plan" and document["outlet"] == "Coast Herald"
    assert document["published"]["value"] == "2021-03-02"


def test_hostile_article_comes_out_inert_in_the_html_report(tmp_path: Path) -> None:
    body = "The minister said the plan was ready &lt;script&gt;alert(1)&lt;/script&gt; and approved. " * 5
    page = (
        "<html><head><title>Plan &lt;img src=x onerror=alert(2)&gt;</title></head><body><article>"
        f'<p>{body}</p><p onclick="alert(3)">More text about the plan <a href="javascript:alert(4)">here</a> '
        "and the council that approved it on Monday.</p><script>alert(5)</script></article></body></html>"
    )
    path = tmp_path / "hostile.html"
    path.write_text(page)
    result = run("analyze", str(path), "--format", "html")
    assert result.returncode == 0, result.stderr
    html = result.stdout
    tags = re.findall(r"<[a-zA-Z][^>]*>", html)
    assert not [t for t in tags if t.lower().startswith("<script")]
    assert not [t for t in tags if re.search(r"\son\w+\s*=|javascript:", t, re.I)]
    shown = re.sub(r"<[^>]+>", "", html)  # highlights may split the text into several marks
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "onerror=alert(2)" in shown  # shown, escaped
