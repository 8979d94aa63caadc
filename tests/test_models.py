from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from narrascope.errors import ModelError
from narrascope.models import spacy_model_path, verify_manifest


def test_installed_model_matches_the_pinned_manifest() -> None:
    assert verify_manifest(spacy_model_path()) >= 20


def test_a_tampered_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ner").mkdir()
    (tmp_path / "ner" / "model").write_bytes(b"weights")
    manifest = f"{hashlib.sha256(b'weights').hexdigest()}  ./ner/model\n"
    assert verify_manifest(tmp_path, manifest) == 1
    (tmp_path / "ner" / "model").write_bytes(b"weights, changed")
    with pytest.raises(ModelError, match="does not match"):
        verify_manifest(tmp_path, manifest)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="missing"):
        verify_manifest(tmp_path, f"{'0' * 64}  ./config.cfg\n")
