# Two commands set everything up on a bare machine with Python 3.11 and pip:
#   make lab    create .venv if missing, install the locked dependencies and the package, open JupyterLab on module 00
#   make test   the same set-up, then the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
LAB_ARGS ?=
VOILA_ARGS ?=
PYTEST_ARGS ?=
# Test workers (pytest-xdist): one per CPU; JOBS=0 runs the suite in this process, one test at a time.
JOBS ?= auto
# Every installed package, direct or not, at one version with its hashes (`make lock` refreshes it).
LOCK := requirements/lock.txt
# The edition: `make lab LANG=zh_CN` opens the Chinese one (zh_CN/), its library messages in Chinese too. LANG given
# on the command line is the course's language only; the programs run keep a UTF-8 locale of their own.
ifeq ($(origin LANG),command line)
EDITION := $(LANG)
override LANG := C.UTF-8
else
EDITION ?= en
endif
EDITION_ROOT := $(if $(filter en,$(EDITION)),,$(EDITION)/)
# Containers and CI machines often run as root, which Jupyter refuses unless told.
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test workshop datasets notebooks translations bibliography release site bench lock clean

# Re-install whenever the lock or the package's metadata changes. The package goes in without its
# dependencies: the lock already holds them, checked against their hashes.
$(VENV)/.installed: pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# JupyterLab on the repository, opening the first module of the edition; course/ and exercises/ (zh_CN/course/
# and zh_CN/exercises/) are in the file browser.
lab: $(VENV)/.installed
	SMARKETING_LANG=$(EDITION) $(BIN)/jupyter lab --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/$(EDITION_ROOT)course/00_start_here.ipynb --port=$(PORT) $(AS_ROOT) $(LAB_ARGS)

# The facilitator's simulators (funnel, SLA, KPI dashboard) as a Voilà app; SMARKETING_COMPANY=datasets/acme
# presents a company's own imported data.
workshop: $(VENV)/.installed
	SMARKETING_LANG=$(EDITION) $(BIN)/voila $(EDITION_ROOT)workshop/app.ipynb --port=$(PORT) $(VOILA_ARGS)

test: $(VENV)/.installed
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

# Regenerate the committed datasets and their data dictionary (same seed, same bytes).
datasets: $(VENV)/.installed
	$(BIN)/smarketing generate all --out datasets --force
	$(BIN)/smarketing dictionary --out datasets

# Re-execute the modules' notebooks (listed in course.yml) and the facilitator's app, and store their outputs
# (run after changing a notebook or the library); on an unchanged library this changes no byte. Then build the
# Chinese edition from them (zh_CN/: catalogues in locale/ merged, notebooks executed in Chinese).
notebooks: $(VENV)/.installed
	$(BIN)/python -m smarketing.notebooks
	$(BIN)/python -m smarketing.translation build

# After changing English text: merge it into the catalogues (locale/, src/smarketing/locale/; a changed block's
# translation turns fuzzy) and list what translators must do.
translations: $(VENV)/.installed
	$(BIN)/python -m smarketing.translation update
	$(BIN)/python -m smarketing.translation check

# Rewrite course/bibliography.md, the learners' page of sources, from bibliography.yml.
bibliography: $(VENV)/.installed
	$(BIN)/python -m smarketing.bibliography

# Regenerate exercises/ from solutions/ with nbgrader generate_assignment, and the Chinese edition's likewise
# (commit the result).
release: $(VENV)/.installed
	$(BIN)/smarketing release
	$(BIN)/python -m smarketing.translation build --no-execute solutions
	$(BIN)/smarketing release --lang zh_CN

# The course as a website (Jupyter Book 1, offline) in $(SITE)/html, the Chinese edition in its zh_CN/: pages
# with the stored outputs, launch links to Binder; HUB=https://hub.example.edu adds a class's JupyterHub
# (nbgitpuller).
SITE ?= build/site
HUB ?=
site: $(VENV)/.installed
	$(BIN)/python -m smarketing.site --out $(SITE) $(if $(HUB),--hub $(HUB),)

# Refresh the lock from pyproject.toml's ranges for every platform and Python >= 3.11.5, keeping the locked
# versions that still fit (UPGRADE=1 takes the newest in range), then regenerate environment.yml (the whole lock)
# and binder/environment.yml (what the course needs to run) from it.
lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11.5 \
		--generate-hashes --no-header $(if $(UPGRADE),--upgrade,) -o $(LOCK)
	$(BIN)/python requirements/environment.py

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_generate.py
	$(BIN)/python benchmarks/bench_course.py
	$(BIN)/python benchmarks/bench_grading.py
	$(BIN)/python benchmarks/bench_import.py

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
