#!/usr/bin/env bash
# Sets up everything Tandem's tests need on a fresh Debian machine, then runs them.
# Usage: scripts/test.sh            (as root: installs Debian packages first)
# Exits non-zero on any failure, and when no test ran at all.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
    resource-agents fence-agents pacemaker pacemaker-cli-utils corosync crmsh
    iproute2 nftables python3 dbus-daemon
)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    missing=()
    for pkg in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "== installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
else
    echo "== not root: skipping Debian package install; real-agent and namespace tests need root" >&2
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --release --all-targets -- -D warnings

echo "== cargo test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export TANDEM_SLOW_TESTS=1
set +e
cargo test --workspace --release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
if [ "$status" -ne 0 ]; then
    echo "== cargo test failed (exit $status)" >&2
    exit "$status"
fi
if [ "$passed" -eq 0 ]; then
    echo "== no test ran: treating as a failure" >&2
    exit 1
fi
echo "== all test binaries ok"
echo "tests: $passed passed, $failed failed"
