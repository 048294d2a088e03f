# Two commands matter on a fresh machine: `make demo` and `make test` (see README).
# Only Python 3.11 and pip are assumed; uv is bootstrapped into .bootstrap/ on first use.

PYTHON ?= python3
BOOT := .bootstrap
UV := $(BOOT)/bin/uv
RUN := $(UV) run --frozen

.PHONY: demo test lint messages install bench clean

$(UV):
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/pip install --quiet 'uv>=0.5'

# One development environment, including the bench group: the test suite also checks
# that the comparison benchmark against dicognito and deid still runs.
.venv/.installed: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet --group bench
	@touch $@

install: .venv/.installed messages

# Compiled catalogs are build products (ignored by git): polib compiles them, so no
# gettext installation is needed on the machine.
messages: .venv/.installed
	@$(RUN) python -m huizhen.i18n compile

demo: install
	$(RUN) huizhen demo --dir var/demo

# PYTEST_ARGS narrows a run, e.g. CI's PostgreSQL pass: -m "not engine and not own_nodes".
test: install
	$(RUN) pytest $(PYTEST_ARGS)

# mypy's Django plugin loads the settings, which need a role and a data directory.
lint: install
	$(RUN) ruff check src tests
	$(RUN) ruff format --check src tests
	HUIZHEN_ROLE=hub HUIZHEN_DATA_DIR=$(CURDIR)/var/lint $(RUN) mypy

# Benchmarks compare against peer tools (dicognito, deid, …) installed from the bench group.
bench: install
	$(RUN) python benchmarks/deid_dicom.py
	$(RUN) python benchmarks/deid_text.py
	$(RUN) python benchmarks/transfer.py

clean:
	rm -rf .venv $(BOOT) var
