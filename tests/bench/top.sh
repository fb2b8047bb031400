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
	pipeline="'$root/bin/pprof-decode' '$file' | '$root/bin/pprof-top'"
	# go tool pprof writes a cache of fetched profiles under HOME.
	HOME=$tmp go tool pprof -top -symbolize=none "$file" >/dev/null 2>&1
	sh -c "$pipeline" >/dev/null
	# The runs of the four commands take turns: the speed of a shared
	# VM's host comes and goes over seconds, and each side then meets
	# the same share of slow moments.
	i=0
	while [ "$i" -lt "$runs" ]; do
		HOME=$tmp "$bench" 1 go tool pprof -top -symbolize=none \
		    "$file" >>"$tmp/g"
		"$bench" 1 sh -c "$pipeline" >>"$tmp/p"
		"$bench" 1 "$root/bin/pprof-decode" "$file" >>"$tmp/d"
		"$bench" 1 "$root/bin/pprof-top" "$tmp/stream" >>"$tmp/t"
		i=$((i + 1))
	done
	g=$(summary "$tmp/g")
	p=$(summary "$tmp/p")
	d=$(summary "$tmp/d")
	t=$(summary "$tmp/t")
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

# summary FILE: the median wall and the largest peak of benchtime lines.
summary() {
	median=$(cut -f1 "$1" | sort -n | awk '{ v[NR] = $1 }
	    END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	peak=$(cut -f4 "$1" | sort -n | tail -1)
	printf '%s\t-\t-\t%s\n' "$median" "$peak"
}

f1() { printf '%s\n' "$1" | cut -f1; }
f4() { printf '%s\n' "$1" | cut -f4; }

machine() {
	printf '%s cores, %s' "$(nproc)" \
	    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
}

main "$@"
