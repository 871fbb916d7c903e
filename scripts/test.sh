#!/usr/bin/env bash
# The test command (README, .ci/run): the whole suite in two passes. The multi-process storage-network
# suite starts ~10 daemons with seconds-scale timers; run alongside the in-process transport and
# interop suites on a 2-core machine it starves their one-second keep-alive and lookup deadlines, so
# it runs on its own after them.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
status=0
swift test --skip-build --skip StorageNetworkTests "$@" || status=$?
swift test --skip-build --filter StorageNetworkTests "$@" || status=$?
# Release smoke: the optimiser once broke repair in release builds while every debug test passed, so the
# storage network also runs end to end from a release build: add, get, a read on a read-cap-only node,
# a repair spanning two batches, reads with n - k holders down; every read is checked byte for byte and
# any mismatch or timeout fails. CAIRN_SKIP_RELEASE_SMOKE=1 skips it (a quicker local loop).
if [[ "${CAIRN_SKIP_RELEASE_SMOKE:-0}" != 1 ]]; then
    swift build -c release --product cairn
    swift build -c release --product cairn-bench
    .build/release/cairn-bench storage-network --size-mib 96 --providers 8 --shares 4/8 --reads 3 || status=$?
fi
exit "$status"
