#!/bin/sh
# run.sh SECONDS - `make fuzz`: seed and run the two libFuzzer targets for
# SECONDS in total, half each, one after the other, and print their
# figures. Exit 1 when either finds a crash, a leak, a timeout or a
# sanitizer report (the input is kept in $FUZZ/artifacts/).
#
# Seeds are made afresh each run, under $FUZZ/seeds/: for fuzz-decode the
# shared corpus's profiles (when present), the profiles of
# tests/fuzz/seeds/*.spec written by pbwrite, a few profiles of the Go
# workload (when built), each gzipped and raw, and tests/fuzz/regress/*.pb*;
# for fuzz-stream pprof-decode's output on all of those. What the fuzzers
# find is kept in $FUZZ/corpus/ and grows from run to run.
#
# Environment (set by the Makefile): FUZZ (build/fuzz), BIN, UNITBIN,
# GOBIN, CORPUS (../shared/corpus).
set -eu

FUZZ=${FUZZ:-build/fuzz}
BIN=${BIN:-bin}
UNITBIN=${UNITBIN:-build/tests}
GOBIN=${GOBIN:-build/go}
CORPUS=${CORPUS:-../shared/corpus}
FUZZ_FLAGS="-timeout=10 -rss_limit_mb=2048 -print_final_stats=1"
workload_pid=

die() {
	printf 'fuzz: %s\n' "$*" >&2
	exit 1
}

cleanup() {
	if [ -n "$workload_pid" ]; then
		kill "$workload_pid" 2>/dev/null || :
		wait "$workload_pid" 2>/dev/null || :
	fi
	rm -rf "$FUZZ/tmp"
}

# Profiles of a real Go runtime, from the test workload, when it is built.
workload_seeds() {
	dir=$1
	[ -x "$GOBIN/workload" ] && command -v curl >/dev/null 2>&1 || return 0
	mkdir -p "$FUZZ/tmp"
	"$GOBIN/workload" -addr-file "$FUZZ/tmp/w.url" -exit-after 60s \
	    -cpu 0 -churn 65536 -steady 65536 -leak 65536 -goroutines 3 \
	    >/dev/null 2>&1 &
	workload_pid=$!
	i=0
	while [ ! -s "$FUZZ/tmp/w.url" ]; do
		i=$((i + 1))
		[ "$i" -le 100 ] || { printf 'fuzz: workload did not start\n' >&2; return 0; }
		sleep 0.1
	done
	url=$(cat "$FUZZ/tmp/w.url")
	for kind in heap allocs goroutine mutex block threadcreate; do
		curl -fsS -o "$dir/workload-$kind.pb.gz" \
		    "$url/debug/pprof/$kind?gc=1" || rm -f "$dir/workload-$kind.pb.gz"
	done
	kill "$workload_pid" 2>/dev/null || :
	wait "$workload_pid" 2>/dev/null || :
	workload_pid=
}

decode_seeds() {
	dir=$1
	if [ -d "$CORPUS/profiles" ]; then
		cp "$CORPUS"/profiles/* "$dir/"
	fi
	for spec in tests/fuzz/seeds/*.spec; do
		name=$(basename "$spec" .spec)
		"$UNITBIN/pbwrite" <"$spec" >"$dir/$name.pb" ||
		    die "$spec: pbwrite failed"
		gzip -n -c "$dir/$name.pb" >"$dir/$name.pb.gz"
	done
	workload_seeds "$dir"
	# Mutations of gzip bytes mostly stop at zlib's checks: give the
	# fuzzer the protobuf inside as well.
	for f in "$dir"/*.gz; do
		if [ -f "$f" ] && [ ! -e "${f%.gz}" ]; then
			gzip -dc "$f" >"${f%.gz}" || rm -f "${f%.gz}"
		fi
	done
	for f in tests/fuzz/regress/*.pb*; do
		if [ -f "$f" ]; then cp "$f" "$dir/"; fi
	done
}

# The stream of each profile that decodes, one two-block stream (and its
# compact form), and one stream of a single sample type (-t).
stream_seeds() {
	from=$1 dir=$2
	for f in "$from"/*; do
		name=$(basename "$f")
		"$BIN/pprof-decode" "$f" >"$dir/$name.tsv" 2>/dev/null ||
		    rm -f "$dir/$name.tsv"
	done
	"$BIN/pprof-decode" "$from/good.pb" "$from/rich.pb.gz" \
	    >"$dir/two-blocks.tsv"
	"$BIN/pprof-decode" -t alloc_objects "$from/rich.pb" \
	    >"$dir/one-type.tsv"
	"$BIN/pprof-decode" --stack-ids "$from/good.pb" "$from/rich.pb.gz" \
	    >"$dir/two-blocks-compact.tsv"
	for f in tests/fuzz/regress/*.tsv; do
		if [ -f "$f" ]; then cp "$f" "$dir/"; fi
	done
}

# run NAME SECONDS MAXLEN [FLAGS...]: one fuzzer, its figures, its verdict.
run() {
	name=$1 secs=$2 maxlen=$3
	shift 3
	log=$FUZZ/$name.log
	mkdir -p "$FUZZ/corpus/$name"
	printf 'fuzz: %s for %s s (log: %s)\n' "$name" "$secs" "$log"
	# shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
	if "$FUZZ/fuzz-$name" $FUZZ_FLAGS -max_len="$maxlen" \
	    -max_total_time="$secs" -artifact_prefix="$FUZZ/artifacts/$name-" \
	    "$@" "$FUZZ/corpus/$name" "$FUZZ/seeds/$name" >"$log" 2>&1; then
		status=ok
	else
		status=FAILED
		failed=1
	fi
	figures "$name" "$status" "$log" >>"$FUZZ/summary.txt"
	figures "$name" "$status" "$log"
}

# The lines of a fuzzer's log worth keeping: the final coverage, the
# execution figures, and what went wrong.
figures() {
	printf '%s: %s\n' "$1" "$2"
	grep -E '^#[0-9]+[[:space:]]' "$3" | tail -n 1 || :
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
	    "$3" || :
	grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' \
	    "$3" || :
}

main() {
	[ $# -eq 1 ] || die "usage: run.sh SECONDS"
	case $1 in
	'' | *[!0-9]*) die "FUZZ_SECONDS: not a number of seconds: $1" ;;
	esac
	[ "$1" -ge 2 ] || die "FUZZ_SECONDS: at least 2 (one per target)"
	trap cleanup EXIT
	trap 'cleanup; exit 130' INT TERM
	rm -rf "$FUZZ/seeds" "$FUZZ/summary.txt"
	mkdir -p "$FUZZ/seeds/decode" "$FUZZ/seeds/stream" "$FUZZ/artifacts"
	decode_seeds "$FUZZ/seeds/decode"
	stream_seeds "$FUZZ/seeds/decode" "$FUZZ/seeds/stream"
	failed=0
	run decode $((($1 + 1) / 2)) 1048576
	run stream $(($1 / 2)) 65536 -dict=tests/fuzz/stream.dict
	[ "$failed" -eq 0 ] || die "a fuzzer failed; see $FUZZ/artifacts/"
}

main "$@"
