#!/usr/bin/env bash
# Builds (or reuses) promcheck: the Prometheus text-format parser and linter the metrics tests read
# the sleeper's /metrics with, and Prometheus' PromQL parser for the Grafana dashboard (see
# main.go). Cached like the control plane (../build.sh) in $T_ENV_CACHE/promcheck-bin, keyed by
# this module's files and the Go version; a cold build compiles only expfmt, promlint,
# promql/parser and their few dependencies (~35-40 s of CPU). Prints the binary's path last.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${T_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/t-env}
export CGO_ENABLED=0
key=$( { go version; cat "$here/go.mod" "$here/go.sum" "$here/main.go"; } | sha256sum | cut -c1-16)
bin="$cache/promcheck-bin/$key/promcheck"
if [ ! -x "$bin" ]; then
  echo "building promcheck into $(dirname "$bin")" >&2
  mkdir -p "$(dirname "$bin")"
  (cd "$here" && go build -trimpath -ldflags "-s -w" -o "$bin.tmp" . && mv "$bin.tmp" "$bin") >&2
fi
echo "$bin"
