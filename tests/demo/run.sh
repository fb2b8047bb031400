#!/bin/sh
# The demo, run by `make demo` from the top of the source tree once
# everything is built: the project's Go workload (a steady cache, a leak
# of 1 MiB/s, JSON churn and CPU work; tests/go/workload) serves pprof on a
# free loopback port, e2e-profile profiles it as the component "demo"
# while `make demo-test` drives it for DEMO_SECONDS (default 60), then the
# path of analysis.md and the leak it shows are printed. An earlier demo
# run is kept as demo.N (E2E_PROFILE_FORCE=1), so two can be compared:
#
#	e2e-profile compare demo.1 demo
#
# The e2e-profile settings of the environment apply; the demo's own
# defaults are a profile every 5 s, 4 s CPU windows, goroutines too.
set -eu

say() {
	printf 'demo: %s\n' "$*" >&2
}

die() {
	say "$*"
	exit 1
}

stop_workload() {
	if [ -n "${workload-}" ]; then
		kill "$workload" 2>/dev/null || :
		wait "$workload" 2>/dev/null || :
		workload=''
	fi
}

main() {
	root=$(cd "$(dirname "$0")/../.." && pwd)
	cd "$root"
	[ -x build/go/workload ] || die "build/go/workload: not built (make go-progs)"
	workload=''
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/e2e-demo.XXXXXX") ||
	    die "cannot create a temporary directory"
	trap 'stop_workload; rm -rf "$tmp"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	build/go/workload -addr 127.0.0.1:0 -addr-file "$tmp/url" \
	    -steady 8388608 -leak 1048576 -churn 4194304 -cpu 0.25 \
	    -goroutines 50 >"$tmp/workload.log" 2>&1 &
	workload=$!
	i=0
	while [ ! -s "$tmp/url" ]; do
		i=$((i + 1))
		[ "$i" -le 100 ] || die "the workload did not start: $(cat "$tmp/workload.log")"
		sleep 0.1
	done
	url=$(cat "$tmp/url")
	say "workload at $url: 8 MiB steady, leaking 1 MiB/s, 0.25 cores"

	dir=${E2E_PROFILE_DIR:-$root/e2e-profiles}
	rc=0
	DEMO_URL=$url \
	E2E_PROFILE_DIR=$dir \
	E2E_PROFILE_COMPONENTS="demo=$url" \
	E2E_PROFILE_INTERVAL=${E2E_PROFILE_INTERVAL:-5} \
	E2E_PROFILE_CPU_DURATION=${E2E_PROFILE_CPU_DURATION:-4} \
	E2E_PROFILE_GOROUTINES=${E2E_PROFILE_GOROUTINES:-1} \
	E2E_PROFILE_FORCE=1 \
	    sh scripts/e2e-profile run demo demo-test || rc=$?
	stop_workload
	[ "$rc" -eq 0 ] || die "e2e-profile run demo demo-test: exit status $rc"
	leak "$dir/demo/analysis"
	if [ -s "$dir/demo/analysis.md" ]; then
		say "the report: $dir/demo/analysis.md"
	else
		die "no $dir/demo/analysis.md (is md-report built?); the tables are in $dir/demo/analysis"
	fi
}

# leak DIR: what the heap series and the growth table say, in a line each.
leak() {
	[ -s "$1/demo.heap.series.tsv" ] || return 0
	awk -F'\t' '
		$1 == "##growth" { g = $2 } $1 == "##span_ns" { s = $2 }
		$1 == "##slope_per_min" { m = $2 } $1 == "##slope_r2" { r = $2 }
		END { printf "demo: heap in use grew %.1f MiB in %.0f s: %.1f MiB/min (R2 %s)\n",
		    g / 1048576, s / 1e9, m / 1048576, r }' "$1/demo.heap.series.tsv" >&2
	[ -s "$1/demo.heap.growth.tsv" ] || return 0
	awk -F'\t' '!/^#/ { printf "demo: first leak suspect: %s, +%.1f MiB, grew in %s%% of the intervals\n",
	    $NF, $5 / 1048576, $7; exit }' "$1/demo.heap.growth.tsv" >&2
}

main "$@"
