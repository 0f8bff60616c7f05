# The two commands of the README's Quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := FLASK_APP=wsgi.py $(BIN)/flask
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test worker bench bench-floor lint translations messages clean guide-screenshots

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/activate

translations: $(BIN)/activate
	$(BIN)/pybabel compile -d translations --statistics 2>&1 | tail -1

# Web server, mail worker and inbound receiver (bounces, calendar replies on 127.0.0.1:2525)
# side by side; Ctrl-C stops them all.
# Mail links point at the address actually served, unless PUBLIC_BASE_URL says otherwise.
run: export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
run: $(BIN)/activate translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) worker & worker=$$!; $(FLASK) inbound & inbound=$$!; \
	trap 'kill $$worker $$inbound 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(BIN)/activate translations
	$(BIN)/pytest

worker: $(BIN)/activate
	$(FLASK) worker

bench: $(BIN)/activate
	$(BIN)/python -m bench

# Only the product against bench/floor, the minimal same-stack sign-up app (a few minutes).
bench-floor: $(BIN)/activate
	$(BIN)/python -m bench floor

# ruff (through pre-commit, as before a commit) and the type checker over app/.
lint: $(BIN)/activate
	$(BIN)/pre-commit run --all-files --show-diff-on-failure
	$(BIN)/mypy

messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs=".* .venv" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

# The screenshots of the secretariat's guide (docs/guide/images/), taken with Debian's chromium.
guide-screenshots: $(BIN)/activate translations
	$(BIN)/python docs/guide/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache
