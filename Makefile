# Two commands set everything up on a fresh machine:
#   make run    create .venv if missing, install from the lock, start the app
#   make test   the same set-up, then lint, the whole test suite and the package test; ends with the time
#               each phase took
#   make package   the installable app for this system in dist/ (Linux: .deb and .tar.gz)
#   make lock   refresh requirements/*.txt (exact versions with hashes, every platform) and run the tests
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCKS  := requirements/build.txt requirements/lock.txt
PHASE  := $(PYTHON) packaging/phases.py run
# INSTALL=latest installs the newest versions pyproject.toml allows instead of the lock (the weekly drift
# job: `make test INSTALL=latest VENV=.venv-latest`).
INSTALL ?= lock
INSTALL_FLAGS := $(if $(filter latest,$(INSTALL)),--latest,)
UV_COMPILE := --universal --generate-hashes --python-version 3.11 --custom-compile-command "make lock" --quiet

JOBS   ?= 2
# llama.cpp's CPU variants: here = the baseline (x64) and the best this CPU runs, a third of the build time;
# all = the fourteen a release carries (the packages workflow builds those).
LLAMA_CPU_VARIANTS ?= here

.PHONY: all venv sysdeps test-tools run test lint unit package-test installer-test phases-start i18n \
	screenshots bench bench-backends bench-launch package lock clean

all: test

# Two phases: the Python packages from the lock (llama-cpp-python without a llama.cpp of its own), then
# llama.cpp, built once per machine into ~/.cache/deepseek-desktop/llama.cpp (packaging/build_llama.py:
# loadable backends, every CPU variant, Vulkan; llama-server, the RPC worker and llama-bench beside them)
# and its libraries copied into the binding.
$(STAMP): pyproject.toml $(LOCKS) packaging/build_llama.py | sysdeps
	@$(PHASE) venv -- sh -c 'test -x $(PY) || $(PYTHON) -m venv $(VENV) && $(PY) packaging/install_deps.py --skip-llama-cpp $(INSTALL_FLAGS)'
	@$(PHASE) llama-cpp -- $(PY) packaging/install_deps.py --llama-cpp-only --jobs $(JOBS) --cpu-variants $(LLAMA_CPU_VARIANTS)
	@touch $(STAMP)

venv: $(STAMP)

# Debian packages: what Qt needs, the tools that build llama.cpp (cmake, a compiler, glslc and the Vulkan
# headers) and Mesa's Vulkan driver (only installs what is missing; needs root or sudo).
sysdeps:
	@sh packaging/linux/install-system-deps.sh

# What only the tests need: wine and Inno Setup (locked in packaging/windows/package-lock.json) for the
# Windows installer test, shellcheck for the workflow lint. Says in one line what it cannot install.
test-tools:
	@$(PHASE) test-tools -- sh packaging/linux/install-test-tools.sh

run: venv sysdeps
	$(VENV)/bin/deepseek-desktop

phases-start:
	@$(PYTHON) packaging/phases.py start

# actionlint checks .github/workflows (with shellcheck on the shell steps when it is installed).
lint: venv
	@$(PHASE) lint -- sh -c '$(VENV)/bin/ruff check deepseek_desktop tests bench packaging && $(VENV)/bin/lint-imports \
		&& $(VENV)/bin/actionlint -no-color -pyflakes='

unit: venv sysdeps
	@QT_QPA_PLATFORM=offscreen $(PHASE) tests -- $(PY) -m pytest --ignore=tests/test_package_linux.py \
		--ignore=tests/test_package_windows.py

# make package for real: the frozen app, the .deb installed with apt, started, removed.
package-test: venv sysdeps
	@QT_QPA_PLATFORM=offscreen $(PHASE) package -- $(PY) -m pytest tests/test_package_linux.py

# The Windows installer, compiled from a stand-in frozen folder, installed, upgraded and removed under wine.
installer-test: venv
	@$(PHASE) installer -- $(PY) -m pytest tests/test_package_windows.py

test: phases-start sysdeps venv test-tools lint unit package-test installer-test
	@$(PYTHON) packaging/phases.py report

# Refresh the lock for every platform we build (Linux, macOS arm64, Windows x64), then run everything on it.
lock: venv
	$(VENV)/bin/uv pip compile requirements/build.in $(UV_COMPILE) --upgrade -o requirements/build.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra mlx $(UV_COMPILE) --upgrade -o requirements/lock.txt
	$(MAKE) test

# Refresh the translation sources from the code, then compile them.
i18n: venv
	$(PY) packaging/i18n.py update
	$(PY) packaging/i18n.py compile

screenshots: venv sysdeps
	QT_QPA_PLATFORM=offscreen $(PY) packaging/screenshots.py docs/screenshots

bench: venv
	$(PY) bench/bench_llamacpp.py

# Every backend and device of this computer against llama.cpp's own llama-bench and llama-server.
bench-backends: venv
	$(PY) bench/bench_backends.py

# Launch to window: the installed app against the same launch from the virtualenv (after make package
# and installing the .deb).
bench-launch: venv sysdeps
	QT_QPA_PLATFORM=offscreen $(PY) bench/bench_launch.py

# The frozen app (PyInstaller) and this system's packages, in dist/.
package: venv sysdeps
	$(PY) packaging/make_packages.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
