#!/usr/bin/env bash
# Builds (or reuses) the local control plane's binaries: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (and helm), from the Go modules beside this script.
# The binaries are cached outside the repo in $T_ENV_CACHE (default ~/.cache/t-env), keyed by the
# go.mod/go.sum files and the Go version, so later runs reuse them (CI points T_ENV_CACHE at a fresh
# directory: it always builds cold). Prints the directory that holds them as its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${T_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/t-env}
export CGO_ENABLED=0
# Helm (installs the test baselines the way teams deploy) has its own key: bumping it rebuilds
# only Helm. The control-plane directory gets a `helm` link to it.
hkey=$( { go version; cat "$here/helm/go.mod" "$here/helm/go.sum"; } | sha256sum | cut -c1-16)
helm="$cache/helm-bin/$hkey/helm"
if [ ! -x "$helm" ]; then
  echo "building helm into $(dirname "$helm") (cold: ~5-10 min on 2 cores)" >&2
  mkdir -p "$(dirname "$helm")"
  (cd "$here/helm" && go build -trimpath -ldflags "-s -w" -o "$helm.tmp" helm.sh/helm/v3/cmd/helm && mv "$helm.tmp" "$helm") >&2
fi
key=$( { go version; cat "$here"/{etcd,kwok,k8s}/go.mod "$here"/{etcd,kwok,k8s}/go.sum "$0"; } | sha256sum | cut -c1-16)
out="$cache/cluster-bin/$key"
if [ -x "$out/kwok" ] && [ -f "$out/.complete" ]; then ln -sfn "$helm" "$out/helm"; echo "$out"; exit 0; fi
mkdir -p "$out"
start=$(date +%s)
k8s=$(sed -n 's/^\tk8s.io\/kubernetes \(v[^ ]*\).*/\1/p' "$here/k8s/go.mod" | head -1)
minor=$(echo "$k8s" | cut -d. -f2)
x=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  x="$x -X $pkg.gitVersion=$k8s -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
echo "building control-plane binaries into $out (cold: ~15-25 min on 2 cores)" >&2
(cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3) >&2
(cd "$here/kwok" && go build -trimpath -ldflags "-s -w" -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok) >&2
(cd "$here/k8s" && go build -trimpath -ldflags "-s -w $x" -o "$out/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler) >&2
echo "built in $(( $(date +%s) - start )) s" >&2
touch "$out/.complete"
ln -sfn "$helm" "$out/helm"
echo "$out"
