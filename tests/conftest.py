"""Shared fixtures: the bundled sample and one pipeline per test session (spaCy loads once)."""

from __future__ import annotations

from pathlib import Path

import pytest

import narrascope
from narrascope.cli import sample_path
from narrascope.pipeline import Pipeline


@pytest.fixture(scope="session")
def sample_text() -> str:
    return sample_path().read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_file() -> Path:
    return sample_path()


@pytest.fixture(scope="session")
def nlp() -> Pipeline:
    return narrascope.load()
