#!/bin/sh
# Benchmark: pprof-decode | pprof-top against go tool pprof -top on the
# corpus's large CPU profile: median wall of RUNS (default 5) for both in
# this one run, the ratio (target >= 15x), and the peak memory of each
# stage against pprof's (target: each under a third).
#
#   sh tests/bench/top.sh [RUNS]
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
file=${PROFILE:-$root/../shared/corpus/profiles/pprof-large.cpu.pb.gz}
bench=$root/build/tests/benchtime
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

main() {
	[ -r "$file" ] || { echo "top.sh: no $file (set PROFILE=)" >&2; exit 1; }
	command -v go >/dev/null || { echo "top.sh: needs go" >&2; exit 1; }
	printf '# %s, %s runs, %s\n' "$(basename "$file")" "$runs" "$(machine)"
	"$root/bin/pprof-decode" "$file" >"$tmp/stream"
	# Each side runs as a block, after one run that is not counted. Ours
	# go first: in a VM whose balloon driver reports freed memory to the
	# host, the 100 MB that each pprof run frees makes the page faults of
	# whatever runs next slower for seconds (the pipeline: about 40 ms
	# before a pprof run, 50 ms just after it), and that is not the cost
	# of either tool.
	pipeline="'$root/bin/pprof-decode' '$file' | '$root/bin/pprof-top'"
	sh -c "$pipeline" >/dev/null
	p=$("$bench" "$runs" sh -c "$pipeline")
	d=$("$bench" "$runs" "$root/bin/pprof-decode" "$file")
	t=$("$bench" "$runs" "$root/bin/pprof-top" "$tmp/stream")
	# go tool pprof writes a cache of fetched profiles under HOME.
	HOME=$tmp go tool pprof -top -symbolize=none "$file" >/dev/null 2>&1
	g=$(HOME=$tmp "$bench" "$runs" go tool pprof -top -symbolize=none "$file")
	printf '%-34s %10s %10s\n' command median_ms peak_KiB
	printf '%-34s %10s %10s\n' "go tool pprof -top" "$(f1 "$g")" "$(f4 "$g")"
	printf '%-34s %10s %10s\n' "pprof-decode | pprof-top" "$(f1 "$p")" -
	printf '%-34s %10s %10s\n' "  pprof-decode alone" "$(f1 "$d")" "$(f4 "$d")"
	printf '%-34s %10s %10s\n' "  pprof-top alone" "$(f1 "$t")" "$(f4 "$t")"
	awk -v g="$(f1 "$g")" -v p="$(f1 "$p")" -v gm="$(f4 "$g")" \
	    -v dm="$(f4 "$d")" -v tm="$(f4 "$t")" 'BEGIN {
		printf "speed-up: %.1fx (target >= 15)\n", g / p
		printf "peak memory, decode: %.2f of pprof; top: %.2f of pprof (target < 0.33)\n", dm / gm, tm / gm
	}'
}

f1() { printf '%s\n' "$1" | cut -f1; }
f4() { printf '%s\n' "$1" | cut -f4; }

machine() {
	printf '%s cores, %s' "$(nproc)" \
	    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
}

main "$@"
