#!/bin/sh
# Benchmark: pprof-decode against zcat (the floor: inflating the bytes) on
# the corpus's large CPU profile. Median wall of RUNS (default 5), both
# measured in this one run, then the ratio; target: decode within 3x zcat,
# peak memory under 40 MiB.
#
#   sh tests/bench/decode.sh [RUNS]
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
file=${PROFILE:-$root/../shared/corpus/profiles/pprof-large.cpu.pb.gz}
bench=$root/build/tests/benchtime

main() {
	[ -r "$file" ] || { echo "decode.sh: no $file (set PROFILE=)" >&2; exit 1; }
	[ -x "$bench" ] || { echo "decode.sh: run make first" >&2; exit 1; }
	printf '# %s, %s runs, %s\n' "$(basename "$file")" "$runs" "$(machine)"
	z=$("$bench" "$runs" zcat "$file")
	d=$("$bench" "$runs" "$root/bin/pprof-decode" "$file")
	printf '%-28s %10s %10s\n' command median_ms peak_KiB
	printf '%-28s %10s %10s\n' "zcat" "$(f1 "$z")" "$(f4 "$z")"
	printf '%-28s %10s %10s\n' "pprof-decode" "$(f1 "$d")" "$(f4 "$d")"
	awk -v z="$(f1 "$z")" -v d="$(f1 "$d")" -v m="$(f4 "$d")" 'BEGIN {
		printf "ratio decode/zcat: %.2f (target <= 3)\n", d / z
		printf "decode peak: %.1f MiB (target < 40)\n", m / 1024
	}'
}

f1() { printf '%s\n' "$1" | cut -f1; }
f4() { printf '%s\n' "$1" | cut -f4; }

machine() {
	printf '%s cores, %s' "$(nproc)" \
	    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
}

main "$@"
