# threadline: the two commands a new user runs are `make demo` and `make test`.
SHELL := /bin/bash
export TURBO_TELEMETRY_DISABLED := 1
export NEXT_TELEMETRY_DISABLED := 1

.PHONY: install services build test test-on-path typecheck lint demo bench otel-e2e up down

node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.package-lock.json

## make services: install (as root, from Debian's packages), configure and start PostgreSQL, Redis, MariaDB.
services:
	bash scripts/services.sh

build: install
	npx turbo run build --output-logs=errors-only

typecheck: build
	npx tsc -p tsconfig.json --noEmit

lint: install
	npx eslint .

## make test: services, then install when needed, build, type-check, lint and run every test on
# TEST_NODE, a supported LTS line (the machine's node may be older), from scripts/node-line.sh.
TEST_NODE ?= $(shell bash scripts/node-line.sh test)
test: services
	bash scripts/node-line.sh run $(TEST_NODE) $(MAKE) --no-print-directory test-on-path

test-on-path: build typecheck lint
	@echo "make test: node $$(node --version)"
	npx vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json
	@node -e "const r=require('./.vitest-results.json'); console.log('vitest: ' + r.numPassedTests + ' passed, ' + r.numFailedTests + ' failed, ' + (r.numPendingTests + r.numTodoTests) + ' skipped')"

## make demo: the example app with the file exporter, then its traces printed by the CLI.
demo: build
	npm run demo

bench: build
	npm run bench

COMPOSE := docker compose -f docker-compose.otel.yml

up:
	$(COMPOSE) up -d --wait

down:
	$(COMPOSE) down -v

## make otel-e2e: the e2e suite (single trace + Temporal server scenario) against a real Jaeger,
# Prometheus and Temporal dev server: from docker-compose.otel.yml with a Docker engine, else built
# from their Go modules and run as local processes (scripts/otel-e2e.sh); stopped on exit either way.
# The suite prints `checked trace: http://localhost:16686/trace/<id>` for the trace it asserted on.
otel-e2e: build
	bash scripts/otel-e2e.sh
