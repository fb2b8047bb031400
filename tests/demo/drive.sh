#!/bin/sh
# The demo's test (make demo-test): for SECONDS (default 60), checks every
# 5 s that the workload at DEMO_URL answers, as an e2e test would drive
# its operator, and fails if it stops answering. The workload leaks and
# burns CPU on its own; this is the time during which it is profiled.
set -eu

main() {
	secs=${1:-60}
	[ -n "${DEMO_URL-}" ] ||
	    { printf 'demo-test: DEMO_URL is not set (run make demo)\n' >&2; exit 2; }
	start=$(date +%s)
	while :; do
		t=$(($(date +%s) - start))
		[ "$t" -lt "$secs" ] || break
		if ! curl -sf -o /dev/null "$DEMO_URL/debug/pprof/cmdline"; then
			printf 'demo-test: %s s: the workload does not answer\n' "$t"
			exit 1
		fi
		printf 'demo-test: %s/%s s: the workload answers\n' "$t" "$secs"
		left=$((secs - t))
		[ "$left" -le 5 ] || left=5
		sleep "$left"
	done
	printf 'demo-test: PASS\n'
}

main "$@"
