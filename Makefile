# thematic: set-up, report and tests. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

CLIENTS := .venv-clients
CLIENTS_STAMP := $(CLIENTS)/.installed

.PHONY: report test test-fast lab setup git-filter sample clean clients

# (Re)install only when the venv is missing or the pins changed.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "thematic needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,lab]'
	touch $(STAMP)

# REFI-QDA clients that tests/test_refi_clients.py loads our exports with, each in a venv of
# its own: their pins clash with ours (qualitative-coding wants webvtt-py<0.6 and xmlschema<4,
# portableQDA lxml<5). The tests skip a client that is not installed.
$(CLIENTS_STAMP): tests/clients/qualitative-coding.txt tests/clients/portableqda.txt
	test -x $(CLIENTS)/qc/bin/python || $(PYTHON) -m venv $(CLIENTS)/qc
	$(CLIENTS)/qc/bin/python -m pip install --quiet -r tests/clients/qualitative-coding.txt
	test -x $(CLIENTS)/portableqda/bin/python || $(PYTHON) -m venv $(CLIENTS)/portableqda
	$(CLIENTS)/portableqda/bin/python -m pip install --quiet -r tests/clients/portableqda.txt
	touch $(CLIENTS_STAMP)

clients: $(CLIENTS_STAMP)  ## the REFI-QDA clients the tests load exports with (qualitative-coding, portableQDA)

report: $(STAMP)  ## render reports/ from params/sample.yaml (data-sample/)
	$(BIN)/thematic report --params params/sample.yaml

test: $(STAMP) $(CLIENTS_STAMP)  ## unit, notebook (nbval) and end-to-end tests
	$(BIN)/python -m pytest tests --nbval-lax --nbval-current-env notebooks

test-fast: $(STAMP)  ## unit tests only
	$(BIN)/python -m pytest tests -m "not slow"

lab: setup  ## JupyterLab (the pinned version) on the notebooks, the project's environment as kernel
	$(BIN)/jupyter lab notebooks

setup: $(STAMP) git-filter  ## the environment, and the git filter that strips notebook outputs

# Notebook outputs never reach a commit: .gitattributes sends every *.ipynb through the
# 'nbstripout' filter, defined here in this clone's git config (cell ids kept, so a commit
# changes only the cells that changed). 'required' makes git refuse to commit a notebook
# when the filter cannot run, rather than commit its outputs.
NBSTRIPOUT := "$(abspath $(BIN))/python" -m nbstripout --keep-id
git-filter:
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '$(NBSTRIPOUT)' && \
	  git config filter.nbstripout.smudge cat && \
	  git config filter.nbstripout.required true && \
	  git config diff.ipynb.textconv '$(NBSTRIPOUT) -t' && \
	  echo "git filter 'nbstripout' set: notebook outputs are stripped on commit"; \
	else echo "not a git clone: no filter to set"; fi

sample:  ## re-render data-sample/ from its markup sources
	$(BIN)/python tools/build_sample.py

clean:
	rm -rf reports .reports.tmp-* reports.failed
