# Two commands set everything up on a fresh machine:
#   make run    create .venv if missing, install, start the app
#   make test   the same set-up, then lint and the whole test suite
#   make package   the installable app for this system in dist/ (Linux: .deb and .tar.gz)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

UNAME_S := $(shell uname -s)
UNAME_M := $(shell uname -m)
ifeq ($(UNAME_S),Linux)
  EXTRAS := dev,mlx
  ifeq ($(UNAME_M),x86_64)
    # A portable llama.cpp build. -march=native also compiles the AMX kernels, which crash on
    # some virtual machines whose CPU reports AMX (seen: segfault in ggml_backend_amx_mul_mat).
    CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
    export CMAKE_ARGS
  endif
else
  EXTRAS := dev
endif

.PHONY: all venv sysdeps run test lint unit i18n screenshots bench bench-launch package clean

all: test

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install -e ".[$(EXTRAS)]"
	@touch $(STAMP)

venv: $(STAMP)

# Debian libraries and fonts that Qt needs (only installs what is missing; needs root or sudo).
sysdeps:
	@sh packaging/linux/install-system-deps.sh

run: venv sysdeps
	$(VENV)/bin/deepseek-desktop

lint: venv
	$(VENV)/bin/ruff check deepseek_desktop tests bench packaging
	$(VENV)/bin/lint-imports

unit: venv sysdeps
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

test: venv sysdeps lint unit

# Refresh the translation sources from the code, then compile them.
i18n: venv
	$(PY) packaging/i18n.py update
	$(PY) packaging/i18n.py compile

screenshots: venv sysdeps
	QT_QPA_PLATFORM=offscreen $(PY) packaging/screenshots.py docs/screenshots

bench: venv
	$(PY) bench/bench_llamacpp.py

# Launch to window: the installed app against the same launch from the virtualenv (after make package
# and installing the .deb).
bench-launch: venv sysdeps
	QT_QPA_PLATFORM=offscreen $(PY) bench/bench_launch.py

# The frozen app (PyInstaller) and this system's packages, in dist/.
package: venv sysdeps
	$(PY) packaging/make_packages.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
