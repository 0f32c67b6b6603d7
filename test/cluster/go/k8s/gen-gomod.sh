#!/usr/bin/env bash
# Regenerates go.mod/go.sum for the control-plane binaries from k8s.io/kubernetes' own go.mod
# (read through the Go module proxy): every `k8s.io/X => ./staging/src/k8s.io/X` replace there
# becomes `k8s.io/X => k8s.io/X v0.<minor>.<patch>` here. Run it after changing the version,
# then commit go.mod and go.sum. Usage: gen-gomod.sh 1.37.2
set -euo pipefail
cd "$(dirname "$0")"
K8S=${1:?kubernetes version without the v, e.g. 1.37.2}
STAGING="v0.${K8S#1.}"
rm -f go.mod go.sum
go mod init t-env.dev/cluster/k8s >/dev/null 2>&1
GOMOD=$(go mod download -json "k8s.io/kubernetes@v${K8S}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
go mod edit "-go=$(sed -n 's/^go //p' "$GOMOD" | head -1)"
for m in $(sed -n 's|^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/k8s\.io/.*|\1|p' "$GOMOD"); do
  go mod edit "-replace=${m}=${m}@${STAGING}"
done
go mod edit "-require=k8s.io/kubernetes@v${K8S}"
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  go mod edit "-tool=k8s.io/kubernetes/cmd/$c"
done
go mod tidy
