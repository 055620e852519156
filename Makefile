# Huimin — the two commands of the quick start are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HUIMIN := $(BIN)/huimin
PG_URL ?= postgres://postgres@127.0.0.1:5432/huimin
DEMO_DB := var/demo.sqlite3
DEMO_PERSONS ?= 3000
# the suite runs in one process per core (pytest-xdist); each keeps pytest-django's order (database tests, then transactional ones)
TEST_WORKERS ?= auto
# the demo server: its database, and the portal's text-message code shown on the page (no SMS is sent in the demo)
DEMO_SERVE_ENV := DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) HUIMIN_DEMO_SMS_ON_PAGE=1
VENDOR := src/huimin/static/vendor
LINT_PATHS := $(wildcard src tests bench)

.PHONY: help demo demo-reset serve test test-fast lint format bench mutation venv static system-deps postgres clean

help:
	@echo "make demo   — 创建虚拟环境、安装、迁移内置 SQLite 数据库、载入演示城市并启动服务"
	@echo "make serve  — 启动已载入的演示城市（网页服务与后台任务进程）"
	@echo "make demo-reset — 删除演示数据库后重新载入演示城市并启动"
	@echo "make test   — 安装测试所需、确保 PostgreSQL 运行、运行全部测试"
	@echo "make bench  — 运行 bench/ 下的全部基准场景并记录结果"
	@echo "make lint   — ruff 检查与模块分层约定（import-linter）"
	@echo "make mutation [MODULE=huimin.benefits.calculators] — 对政策模块做变异测试（mutmut，较慢，不属于 make test）"

# --- environment ---------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "需要 Python 3.11 或更高版本（当前：$$($(PYTHON) --version)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	@touch $@

venv: $(VENV)/.installed

$(VENV)/.bench-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test,bench]"
	@touch $@

$(VENDOR)/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "缺少 npm（Node.js）：请安装 Debian 软件包 nodejs 和 npm"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js \
	   node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	cp node_modules/idb/build/umd.js $(VENDOR)/idb.umd.js
	@touch $@

static: $(VENDOR)/.installed

# Debian packages the project needs: CJK fonts for printed forms, Chromium for browser tests.
system-deps:
	@missing=""; \
	fc-list 2>/dev/null | grep -qi 'Noto.*CJK' || missing="$$missing fonts-noto-cjk"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装 Debian 软件包:$$missing"; \
	    apt-get -o DPkg::Lock::Timeout=300 update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq $$missing >/dev/null; \
	  else echo "缺少 Debian 软件包:$$missing（请以 root 运行 apt-get install$$missing）"; exit 1; fi; \
	fi

# Start an installed but stopped PostgreSQL cluster; say clearly what is missing otherwise.
postgres:
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then :; \
	elif command -v pg_lsclusters >/dev/null && [ -n "$$(pg_lsclusters -h 2>/dev/null)" ]; then \
	  ver=$$(pg_lsclusters -h | awk 'NR==1{print $$1}'); name=$$(pg_lsclusters -h | awk 'NR==1{print $$2}'); \
	  echo "启动 PostgreSQL 集群 $$ver/$$name"; \
	  pg_ctlcluster --skip-systemctl-redirect $$ver $$name start || pg_ctlcluster $$ver $$name start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL 集群未能启动，请查看 /var/log/postgresql/"; exit 1; }; \
	else \
	  echo "未找到 PostgreSQL：测试需要 127.0.0.1:5432 上的 PostgreSQL（postgres 用户 trust 认证）。"; \
	  echo "请安装：apt-get install postgresql，或设置 PG_URL 指向可用的服务器。"; exit 1; \
	fi
	@psql "$(PG_URL)" -c 'select 1' >/dev/null 2>&1 || \
	  psql "$$(echo $(PG_URL) | sed 's#/[^/]*$$#/postgres#')" -qc "CREATE DATABASE $$(basename $(PG_URL))" >/dev/null

# --- the quick start -----------------------------------------------------

demo: venv static system-deps
	@mkdir -p var
	DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) $(HUIMIN) migrate --noinput
	DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) $(HUIMIN) demo load --if-empty --persons $(DEMO_PERSONS) --seed 1
	DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) $(HUIMIN) demo logins
	$(DEMO_SERVE_ENV) $(HUIMIN) serve 127.0.0.1:8000

# Start over: delete the demo database and the demo's files under var/, then build the city anew.
demo-reset:
	rm -rf $(DEMO_DB) var/media var/verification var/engine
	$(MAKE) demo

# The web server and the task worker together; stopping one (Ctrl-C) stops both.
serve: venv static
	$(DEMO_SERVE_ENV) $(HUIMIN) serve 127.0.0.1:8000

test: venv static system-deps postgres lint
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

test-fast: venv static postgres
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -x -m "not e2e" -p no:cacheprovider

lint: venv
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	PYTHONPATH=src $(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

bench: venv $(VENV)/.bench-installed static postgres
	DATABASE_URL=$(PG_URL) $(HUIMIN) migrate --noinput
	DATABASE_URL=$(PG_URL) $(BIN)/python -m bench

# Mutation testing of the policy modules ([tool.mutmut] in pyproject.toml; results in docs/testing.md). Slow: one
# module at a time, one process (the machine is shared). Not part of `make test`. Its own database: MUTATION_PG_URL.
MODULE ?=
MUTATION_PG_URL ?= postgres://postgres@127.0.0.1:5432/huimin_mutation
mutation: venv static postgres
	DATABASE_URL=$(MUTATION_PG_URL) PYTHONPATH= $(BIN)/mutmut run --max-children 1 $(if $(MODULE),"$(MODULE).*")
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .pytest_cache mutants
