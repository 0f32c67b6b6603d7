#!/usr/bin/env bash
# `npm test`: everything CI runs, in order. Static checks, unit tests under two time zones, the
# production build and package, integration tests on a fresh local control plane, the e2e suite
# in a real VS Code (code-server) on another one, and a short benchmark smoke run.
# Needs: `npm ci` done; Go (for the control plane, built once and cached); on Debian, root or
# the packages chromium and libkrb5-dev (installed on demand by the e2e harness).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=MODULE_TYPELESS_PACKAGE_JSON"
step() { printf '\n=== %s\n' "$*"; }

step "type-check"; npm run --silent typecheck
step "lint"; npm run --silent lint
step "unit tests (TZ=UTC)"; TZ=UTC npm run --silent test:unit
step "unit tests (TZ=Pacific/Chatham)"; TZ=Pacific/Chatham npm run --silent test:unit
step "build and package"; npm run --silent package
step "bundle and package tests"; node --test --test-reporter=spec "test/build/**/*.test.ts"
step "control-plane binaries"; npm run --silent cluster:build
step "integration tests (local control plane)"; npm run --silent test:integration
if [ -d test/e2e ] && [ -f test/e2e/run.ts ]; then
  step "e2e tests (code-server)"; T_ENV_SKIP_PACKAGE=1 node scripts/with-cluster.ts node test/e2e/run.ts
fi
if [ -f bench/run.ts ]; then
  step "benchmark smoke run (no timing assertions)"; node scripts/with-cluster.ts node --expose-gc bench/run.ts --smoke
fi
step "all tests passed"
