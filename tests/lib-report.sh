# shellcheck shell=sh
# lib-report.sh - fixtures for md-report's tests: profiles written with
# pbwrite from a few numbers, and the analysis step run on them.
#
# Source after lib.sh. Profiles are Go-shaped: a heap profile has the
# four sample types of runtime/pprof, a CPU profile samples/count and
# cpu/nanoseconds with a period and a duration.

# hex TEXT: TEXT's bytes in hex, for a pbwrite "bytes" field (a string
# with a newline or a carriage return cannot be a "string" line).
hex() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# heap_spec TIME_NS FILE FUNCTION VALUE...: a heap profile taken at
# TIME_NS of the binary FILE; each FUNCTION VALUE pair is one sample of
# main.main -> FUNCTION (callers first, ';'-separated: a;b is main.main
# -> a -> b), VALUE bytes allocated and in use, or ALLOC/INUSE; objects:
# 1. Go's allocation is cumulative: pass the allocation so far. With
# LABEL set, the first sample carries the label evil=LABEL.
heap_spec() {
	_t=$1 _f=$2
	shift 2
	printf '1 {\n1 varint 1\n2 varint 2\n}\n1 {\n1 varint 3\n2 varint 4\n}\n'
	printf '1 {\n1 varint 5\n2 varint 2\n}\n1 {\n1 varint 6\n2 varint 4\n}\n'
	_id=2 _strings='' _first=1
	# Names and values alternate: the names' frames count, not the values.
	_k=$((9 + $(printf '%s\n' "$@" | awk 'NR % 2 { n += split($0, a, ";") } END { print n }')))
	while [ "$#" -ge 2 ]; do
		_a=${2%/*} _u=${2#*/} _locs=''
		_rest=$1
		while :; do
			_name=${_rest%%;*}
			printf '4 {\n1 varint %s\n2 varint 1\n4 {\n1 varint %s\n}\n}\n' "$_id" "$_id"
			printf '5 {\n1 varint %s\n2 varint %s\n}\n' "$_id" $((_id + 7))
			_strings="$_strings $(hex "$_name")"
			_locs="$_id $_locs"
			_id=$((_id + 1))
			[ "$_rest" != "${_rest#*;}" ] || break
			_rest=${_rest#*;}
		done
		printf '2 {\n1 packed %s1\n2 packed 1 %s 1 %s\n' "$_locs" "$_a" "$_u"
		if [ "$_first" = 1 ] && [ -n "${LABEL-}" ]; then
			printf '3 {\n1 varint %s\n2 varint %s\n}\n' "$_k" $((_k + 1))
		fi
		printf '}\n'
		_first=0
		shift 2
	done
	printf '4 {\n1 varint 1\n2 varint 1\n4 {\n1 varint 1\n}\n}\n'
	printf '5 {\n1 varint 1\n2 varint 8\n}\n'
	printf '6 string\n6 string alloc_objects\n6 string count\n6 string alloc_space\n'
	printf '6 string bytes\n6 string inuse_objects\n6 string inuse_space\n'
	printf '6 string %s\n6 string main.main\n' "$_f"
	for _s in $_strings; do
		printf '6 bytes %s\n' "$_s"
	done
	if [ -n "${LABEL-}" ]; then
		printf '6 string evil\n6 bytes %s\n' "$(hex "$LABEL")"
	fi
	printf '3 {\n1 varint 1\n5 varint 7\n}\n'
	printf '9 varint %s\n' "$_t"
}

# cpu_spec TIME_NS DURATION_NS FUNCTION NANOS...: a CPU profile window.
cpu_spec() {
	_t=$1 _d=$2
	shift 2
	printf '1 {\n1 varint 1\n2 varint 2\n}\n1 {\n1 varint 3\n2 varint 4\n}\n'
	_i=2
	_strings=''
	while [ "$#" -ge 2 ]; do
		printf '2 {\n1 packed %s 1\n2 packed %s %s\n}\n' "$_i" $(($2 / 10000000)) "$2"
		printf '4 {\n1 varint %s\n4 {\n1 varint %s\n}\n}\n' "$_i" "$_i"
		printf '5 {\n1 varint %s\n2 varint %s\n}\n' "$_i" $((_i + 4))
		_strings="$_strings $(hex "$1")"
		_i=$((_i + 1))
		shift 2
	done
	printf '4 {\n1 varint 1\n4 {\n1 varint 1\n}\n}\n5 {\n1 varint 1\n2 varint 5\n}\n'
	printf '6 string\n6 string samples\n6 string count\n6 string cpu\n'
	printf '6 string nanoseconds\n6 string main.main\n'
	for _s in $_strings; do
		printf '6 bytes %s\n' "$_s"
	done
	printf '9 varint %s\n10 varint %s\n' "$_t" "$_d"
	printf '11 {\n1 varint 3\n2 varint 4\n}\n12 varint 10000000\n'
}

# T0: 2026-11-18T11:06:40Z in Unix nanoseconds; at SECONDS: T0 + SECONDS
# (with decimals: at 5.003).
T0=1795000000000000000
at() {
	awk -v s="$1" -v t0="$T0" 'BEGIN { printf "%d%09d\n", t0 / 1e9 + int(s), (s - int(s)) * 1e9 + 0.5 }'
}

# run_tsv_of DIR NAME DURATION [KEY VALUE...]: DIR/run.tsv of a run that
# started at T0 and ran DURATION seconds.
run_tsv_of() {
	_d=$1 _n=$2 _s=$3
	shift 3
	{
		printf '#key\tvalue\nname\t%s\ntarget\ttest-e2e\nexit_status\t0\n' "$_n"
		printf 'started\t2026-11-18T11:06:40Z\nduration_s\t%s\n' "$_s"
		printf 'namespace\tolmv1-system\ninterval\t10\ncpu_duration\t2\n'
		printf 'mode\tboth\ntransport\tport-forward\n'
		while [ "$#" -ge 2 ]; do
			printf '%s\t%s\n' "$1" "$2"
			shift 2
		done
	} >"$_d/run.tsv"
}

# analyze RUN UNIT: the wrapper's analysis step, by hand, of the unit's
# heap0-2 and cpu0-1 profiles (the wrapper refuses names that tests of
# md-report need).
analyze() {
	a=$1/analysis
	mkdir -p "$a" &&
	pprof-decode "$1/$2"/heap0.pprof "$1/$2"/heap1.pprof "$1/$2"/heap2.pprof >"$a/h.stream" &&
	pprof-series "$a/h.stream" >"$a/$2.heap.series.tsv" &&
	pprof-series -t alloc_space "$a/h.stream" >"$a/$2.heap.alloc.series.tsv" &&
	pprof-series -g "$a/h.stream" >"$a/$2.heap.growth.tsv" &&
	pprof-decode "$1/$2/heap2.pprof" | pprof-top -t inuse_space --nodefraction 0 >"$a/$2.heap.peak.tsv" &&
	pprof-decode "$1/$2"/cpu0.pprof "$1/$2"/cpu1.pprof >"$a/c.stream" &&
	pprof-series "$a/c.stream" >"$a/$2.cpu.series.tsv" &&
	pprof-top -t cpu --nodefraction 0 "$a/c.stream" >"$a/$2.cpu.top.tsv" &&
	rm "$a"/*.stream
}

# chart_points REPORT N LINE: the points of line LINE (from 1) of the Nth
# (from 1) Mermaid chart of REPORT, as "SECONDS VALUE" lines, the x
# labels turned back into seconds from the axis' unit.
chart_points() {
	awk -v want="$2" -v line="$3" '
	/^```mermaid/ { n++; l = 0; next }
	n != want { next }
	/^    x-axis / {
		unit = $0; sub(/.*\(/, "", unit); sub(/\).*/, "", unit)
		f = unit == "min" ? 60 : unit == "h" ? 3600 : 1
		s = $0; sub(/.*\[/, "", s); sub(/\].*/, "", s)
		nx = split(s, x, ", ")
	}
	/^    line / {
		if (++l != line) next
		s = $0; sub(/.*\[/, "", s); sub(/\].*/, "", s)
		ny = split(s, y, ", ")
		for (i = 1; i <= ny; i++) printf "%.6f %s\n", x[i] * f, y[i]
	}' "$1"
}

# samples SERIES STARTED_NS: the heap series' samples as "SECONDS MIB
# SEGMENT", seconds since STARTED_NS, MiB as a chart shows them.
samples() {
	awk -F'\t' -v t0="$2" '
	/^#seq/ { for (i = 1; i <= NF; i++) { if ($i == "#seq") c["seq"] = i; if ($i == "time_ns") c["t"] = i; if ($i == "segment") c["s"] = i; if ($i == "inuse_space/bytes") c["v"] = i } next }
	/^#/ { next }
	{ printf "%.6f %.2f %s\n", ($c["t"] - t0) / 1e9, $c["v"] / 1048576, $c["s"] }' "$1"
}

# unmatched POINTS SAMPLES TOL: every point whose value is not that of a
# sample within TOL seconds of its label (the highest of them), nor a 0
# between two processes; prints them, with what was near.
unmatched() {
	awk -v tol="$3" '
	NR == FNR { t[NR] = $1; v[NR] = $2 + 0; s[NR] = $3; n = NR; next }
	{
		best = ""; zero = 0
		for (i = 1; i <= n; i++) {
			d = t[i] - $1; if (d < 0) d = -d
			if (d <= tol + 1e-6 && (best == "" || v[i] > best)) best = v[i]
			if (i > 1 && s[i] != s[i - 1] && t[i - 1] < $1 && $1 < t[i]) zero = 1
		}
		if (!(best != "" && best == $2 + 0) && !(zero && $2 + 0 == 0))
			print "point", $1, $2, "nearest highest", best
	}' "$2" "$1"
}

# analyze_heaps RUN UNIT N: the analysis step's heap files of the unit's
# heap0 .. heap(N-1) profiles (no CPU), the peak table of the last.
analyze_heaps() {
	a=$1/analysis _n=$3 _files=''
	_k=0 && while [ "$_k" -lt "$_n" ]; do
		_files="$_files $1/$2/heap$_k.pprof"
		_k=$((_k + 1))
	done
	mkdir -p "$a" || return 1
	# shellcheck disable=SC2086 # the profiles' paths have no blanks
	pprof-decode $_files >"$a/h.stream" &&
	pprof-series "$a/h.stream" >"$a/$2.heap.series.tsv" &&
	pprof-series -t alloc_space "$a/h.stream" >"$a/$2.heap.alloc.series.tsv" &&
	pprof-series -g "$a/h.stream" >"$a/$2.heap.growth.tsv" &&
	pprof-decode "$1/$2/heap$((_n - 1)).pprof" |
	    pprof-top -t inuse_space --nodefraction 0 >"$a/$2.heap.peak.tsv" &&
	rm "$a/h.stream"
}

# phase_heaps RUN UNIT: six heap profiles of UNIT, at 5, 15 ... 55 s: a
# cache holds 4 MiB throughout, main.leak holds 1 1 2 4 6 8 MiB (it
# grows in the e2e phase, 20-50 s, only), main.json allocates (and
# frees) 1 2 4 10 16 22 MiB in all so far. PHASE_MIB, when set, gives
# other LEAK:JSON pairs.
phase_heaps() {
	mkdir -p "$1/$2" &&
	_k=0 && for _m in ${PHASE_MIB:-1:1 1:2 2:4 4:10 6:16 8:22}; do
		_l=$((${_m%:*} * 1048576)) _j=$((${_m#*:} * 1048576))
		heap_spec "$(at $((5 + 10 * _k)))" /manager main.cache 4194304 \
		    main.leak "$_l" main.json "$_j/0" |
		    pbwrite >"$1/$2/heap$_k.pprof" || return 1
		_k=$((_k + 1))
	done
}

# phase_files RUN UNIT: the unit's phases (cluster 0-10 s, deploy 10-20,
# e2e 20-50, teardown 50-60), top per phase, MemStats and the settle
# verdict, as the filters write them for phase_heaps' profiles.
phase_files() {
	_a=$1/analysis
	mkdir -p "$_a" && {
		printf '##phases\theap\n##series\t%s.heap.series.tsv\n##events\ttest-events.tsv\n' "$2"
		printf '#phase\tstart_ns\tend_ns\tduration_ns\tprofiles\tfirst_seq\tlast_seq\tinuse_first\tinuse_last\tgrowth\talloc_during\tcpu_cores\n'
		printf 'cluster\t%s\t%s\t10000000000\t2\t0\t1\t5242880\t5242880\t0\t1048576\t0.10\n' "$(at 0)" "$(at 10)"
		printf 'deploy\t%s\t%s\t10000000000\t2\t1\t2\t5242880\t6291456\t1048576\t3145728\t-\n' "$(at 10)" "$(at 20)"
		printf 'e2e\t%s\t%s\t30000000000\t4\t2\t5\t6291456\t12582912\t6291456\t25165824\t0.50\n' "$(at 20)" "$(at 50)"
		printf 'teardown\t%s\t%s\t10000000000\t1\t5\t5\t12582912\t12582912\t0\t0\t-\n' "$(at 50)" "$(at 60)"
	} >"$_a/$2.phases.tsv" && {
		printf '##phase-top\t%s\n#phase\twhat\trank\tvalue\tfunction\n' "$2"
		printf 'cluster\talloc\t1\t1048576\tmain.json\n'
		printf 'deploy\talloc\t1\t2097152\tmain.json\ndeploy\talloc\t2\t1048576\tmain.leak\n'
		printf 'deploy\tgrowth\t1\t1048576\tmain.leak\n'
		printf 'e2e\talloc\t2\t6291456\tmain.leak\ne2e\talloc\t1\t18874368\tmain.json\n'
		printf 'e2e\tgrowth\t1\t6291456\tmain.leak\n'
	} >"$_a/$2.phase-top.tsv" && {
		printf '##memstats\t%s\n' "$2"
		printf '#seq\ttime_ns\tsys\theap_sys\theap_inuse\theap_idle\theap_released\tstack_inuse\tnext_gc\tnum_gc\tpause_total_ns\tpauses\tsource\n'
		printf '0\t%s\t20971520\t12582912\t6291456\t6291456\t2097152\t524288\t8388608\t3\t300000\t3\t%s/memstats0.txt\n' "$(at 5)" "$2"
		printf '3\t%s\t25165824\t16777216\t9437184\t7340032\t2097152\t524288\t12582912\t10\t1200000\t10\t%s/memstats3.txt\n' "$(at 35)" "$2"
		printf '5\t%s\t29360128\t20971520\t13631488\t7340032\t3145728\t524288\t16777216\t18\t2100000\t18\t%s/memstats5.txt\n' "$(at 55)" "$2"
	} >"$_a/$2.memstats.tsv" && {
		printf '##verdict\tlikely-leak\n'
		printf '##reason\t8MB retained beyond the baseline after 20s of settling (threshold 1MB), still rising by 100kB/s (threshold 10kB/s)\n'
		printf '##baseline\tsettle/baseline-heap.pprof\n##settle_profiles\t3\n'
		printf '##heap_baseline\t5242880\n##heap_settled\t13631488\n##retained\t8388608\n##retain_threshold\t1048576\n'
		printf '##settle_slope\t102400\n##slope_threshold\t10240\n'
		printf '##goroutines_baseline\t40\n##goroutines_settled\t52\n##goroutine_threshold\t5\n##goroutineleak\t2\n'
		printf '#kind\tname\tbaseline\tsettled\tdelta\n'
		printf 'heap\tmain.leak\t1048576\t8388608\t7340032\n'
		printf 'goroutine\truntime.goexit;main.(*server).watch;time.Sleep\t0\t12\t12\n'
		printf 'goroutineleak\truntime.goexit;main.(*server).watch;runtime.gopark\t0\t2\t2\n'
	} >"$_a/$2.verdict.tsv"
}

# phase_run RUN: a run of one unit, web, with phase_heaps' profiles,
# its analysis and phase_files' files.
phase_run() {
	phase_heaps "$1" web &&
	run_tsv_of "$1" "${1##*/}" 60 &&
	analyze_heaps "$1" web 6 &&
	phase_files "$1" web
}
