# The two commands of the project: `make run` and `make test`.
# Both build .venv on first use, so a fresh machine needs only Python 3.11+.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
STAMP_BUILD := $(VENV)/.installed-build

.PHONY: run test lint format bench bundle screenshots clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Outreach needs Python 3.11 or newer on PATH." >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The crypt extra (SQLCipher) where its wheel exists; elsewhere the app runs with
# plain databases and says so in its status bar and Settings.
$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --only-binary sqlcipher3 -e ".[crypt]" 2>/dev/null || { \
		echo "SQLCipher has no wheel for this system: new databases will not be encrypted." >&2; \
		$(BIN)/python -m pip install --quiet -e .; }
	@touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --only-binary sqlcipher3 -e ".[test,crypt]" 2>/dev/null || { \
		echo "SQLCipher has no wheel for this system: the encryption tests will be skipped." >&2; \
		$(BIN)/python -m pip install --quiet -e ".[test]"; }
	@touch $@ $(STAMP_RUN)

# The bundle ships encryption at rest too, so the build venv gets the crypt extra
# where its wheel exists (PyInstaller bundles what is installed).
$(STAMP_BUILD): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --only-binary sqlcipher3 -e ".[build,crypt]" 2>/dev/null || { \
		echo "SQLCipher has no wheel for this system: the bundle will not encrypt databases." >&2; \
		$(BIN)/python -m pip install --quiet -e ".[build]"; }
	@touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/outreach

test: $(STAMP_TEST)
	$(BIN)/ruff check outreach tests bench docs
	$(BIN)/ruff format --check outreach tests bench docs
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

format: $(STAMP_TEST)
	$(BIN)/ruff check --fix outreach tests bench docs
	$(BIN)/ruff format outreach tests bench docs

bench: $(STAMP_TEST)
	$(BIN)/python -m bench

# The Linux onedir bundle (dist/outreach/) from installer/outreach.spec, then its
# own self-test offscreen: proof the frozen app finds its migrations, resources
# and Qt plugins. --clean: a stale build/ cache must not hide a missing file.
bundle: $(STAMP_BUILD)
	rm -rf dist/outreach
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build installer/outreach.spec
	@size=$$(du -sm dist/outreach | cut -f1); echo "dist/outreach: $$size MB (target: at most 150 MB)"; \
		[ "$$size" -le 150 ] || echo "WARNING: the bundle is over its 150 MB target; see installer/README.md." >&2
	QT_QPA_PLATFORM=offscreen dist/outreach/outreach self-test

# The README's pictures (docs/screenshots/*.png): the real window, offscreen, on a
# temporary database of demo data with the clock set to a fixed day, so a rerun
# changes a picture only when the page itself changed. Look at them before committing.
screenshots: $(STAMP_RUN)
	$(BIN)/python docs/make_screenshots.py

clean:
	rm -rf $(VENV) build dist *.egg-info
