# The two commands of the README. Both install what the machine lacks first
# (Node 24, pnpm, nats-server, redis-server, PostgreSQL, the dependencies).
SHELL := /bin/bash
ENV := . ./.tools/env.sh

.PHONY: up test chaos bench bootstrap clean

bootstrap:
	@bash infra/local/bootstrap.sh

## make up: servers, migrations, the six services and a reference agent, on loopback. Ctrl-C stops all.
up: bootstrap
	@$(ENV) && pnpm run build --output-logs=errors-only && exec node packages/devstack/dist/up.js

## make test: build, type-check, lint and format check, then every unit and integration test (real NATS, Redis, PostgreSQL on loopback).
test: bootstrap
	@$(ENV) && pnpm test

## make chaos: only the multi-instance chaos suite (kills a NATS node and one instance of each service under load); make test runs it last.
chaos: bootstrap
	@$(ENV) && pnpm run build --output-logs=errors-only && pnpm test:chaos

## make bench: the benchmarks recorded in BENCHMARKS.md.
bench: bootstrap
	@$(ENV) && pnpm run bench

## make clean: forget local state (.data) and build outputs.
clean:
	rm -rf .data .turbo apps/*/dist packages/*/dist apps/*/src/generated packages/*/src/generated
