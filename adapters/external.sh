#!/usr/bin/env bash
# `make external`: the conformance suite against Kaspa's production consensus code.
#
# Builds the two adapters (adapters/rusty-kaspa over rusty-kaspa's crates, adapters/kaspad over
# kaspad's Go module) with every Rust and Go cache under EXTERNAL_CACHE, outside the clone, so
# a later run rebuilds nothing; runs `dagspec conformance run --junit` against each; then
# regenerates spec/external.md (adapters/external.py), which classifies every failed case.
#
# Exit status: non-zero on a build error, on a run that could not start, or on a failed case
# that neither a row of spec/deviations.md nor an adapter gap explains. A failure that is
# explained is reported in the page and does not fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${EXTERNAL_CACHE:-$HOME/.cache/dagspec-external}
BIN=${VENV:-.venv}/bin
export CARGO_HOME=$CACHE/cargo
export CARGO_TARGET_DIR=$CACHE/cargo-target
export GOPATH=$CACHE/go
export GOMODCACHE=$CACHE/go/mod
export GOCACHE=$CACHE/go/build
export GOFLAGS="-mod=readonly -buildvcs=false"
mkdir -p "$CACHE/bin" "$CACHE/junit"

# librocksdb-sys (under kaspa-database) runs bindgen, which loads libclang at build time.
if ! compgen -G "/usr/lib/llvm-*/lib/libclang.so*" >/dev/null \
    && ! compgen -G "/usr/lib/*/libclang-[0-9]*.so*" >/dev/null; then
    echo "external: installing libclang for bindgen (Debian package libclang-dev)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libclang-dev >/dev/null
fi

started=$SECONDS
cargo build --release --locked --quiet --manifest-path adapters/rusty-kaspa/Cargo.toml
echo "external: rusty-kaspa adapter built in $((SECONDS - started)) s"
started=$SECONDS
(cd adapters/kaspad && go build -o "$CACHE/bin/dagspec-adapter-kaspad" .)
echo "external: kaspad adapter built in $((SECONDS - started)) s"

RUSTY=$CARGO_TARGET_DIR/release/dagspec-adapter-rusty-kaspa
KASPAD=$CACHE/bin/dagspec-adapter-kaspad

run() { # NAME COMMAND: the suite against one adapter; status 1 (failed cases) is classified below
    local status=0
    "$BIN/dagspec" conformance run --adapter "$2" --junit "$CACHE/junit/$1.xml" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "external: the $1 adapter could not be run (status $status)" >&2
        exit "$status"
    fi
}
run rusty-kaspa "$RUSTY"
run kaspad "$KASPAD"

"$BIN/python" -m adapters.external \
    --run rusty-kaspa "$CACHE/junit/rusty-kaspa.xml" "$RUSTY" \
    --run kaspad "$CACHE/junit/kaspad.xml" "$KASPAD" \
    --out spec/external.md
