#!/bin/sh
test_description='leak-verdict: likely-leak, bounded, no-leak from the settle window against a baseline, crafted and on the workload'
. "$(dirname "$0")/lib.sh"

MIB=1048576

# blk SOURCE SECONDS TYPE [VALUE STACK]...: one block of a sample stream
# of TYPE (inuse_space/bytes or goroutine/count) at SECONDS since 1000 s.
blk() {
	_s=$1 _t=$2 _ty=$3
	shift 3
	printf '##profile\t%s\n##time\t%s\t-\n##duration\t0\n' "$_s" \
	    "$(((1000 + _t) * 1000000000))"
	printf '##default_type\t%s\n#%s\tsite\tlabels\tstack\n' "${_ty%/*}" "$_ty"
	while [ "$#" -ge 2 ]; do
		printf '%s\t%x\t\t%s\n' "$1" "$(printf '%s' "$2" | cksum | cut -d" " -f1)" "$2"
		shift 2
	done
}
H=inuse_space/bytes
G=goroutine/count

# The baseline: 10 MiB held by main.cache. The settle windows, 0, 10 and
# 20 s: "leak" adds 2, 3, 4 MiB in main.leak; "flat" 4 MiB three times;
# "none" 512 KiB three times. Thresholds: max(1 MiB, 1% of 10 MiB) =
# 1048576 bytes retained, and 1048576 / 20 s = 52429 B/s.
test_setup 'crafted streams' '
	blk base.pprof 0 $H $((10 * MIB)) "main.main;main.cache" >base &&
	{
		blk s0 10 $H $((10 * MIB)) "main.main;main.cache" $((2 * MIB)) "main.main;main.leak" &&
		blk s1 20 $H $((10 * MIB)) "main.main;main.cache" $((3 * MIB)) "main.main;main.leak" &&
		blk s2 30 $H $((10 * MIB)) "main.main;main.cache" $((4 * MIB)) "main.main;main.leak"
	} >leak &&
	{
		for t in 10 20 30; do
			blk s$t $t $H $((10 * MIB)) "main.main;main.cache" $((4 * MIB)) "main.main;main.leak" || return 1
		done
	} >flat &&
	{
		for t in 10 20 30; do
			blk s$t $t $H $((10 * MIB)) "main.main;main.cache" 524288 "main.main;main.buf" || return 1
		done
	} >none &&
	blk bg 0 $G 3 "main.main;main.serve" 1 "runtime.main" >gbase &&
	{
		blk g0 10 $G 3 "main.main;main.serve" 1 "runtime.main" 1 "main.h;main.wait" &&
		blk g1 30 $G 3 "main.main;main.serve" 1 "runtime.main" 5 "main.h;main.wait"
	} >gup &&
	blk g1 30 $G 3 "main.main;main.serve" 2 "runtime.main" >gback &&
	blk l0 30 goroutineleak/count 2 "main.h;main.wait" >gleak
'

test_expect_success 'a growing heap: likely-leak, every figure, the rows' '
	leak-verdict -G gbase -g gback base leak >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOT &&
	##verdict	likely-leak
	##reason	the heap kept 4194304 bytes beyond the baseline (threshold 1048576) and still grows over the settle window (104858 B/s, threshold 52429 B/s); 5 goroutines against 4 at baseline (threshold 6)
	##baseline	base.pprof
	##settle_profiles	3
	##heap_baseline	10485760
	##heap_settled	14680064
	##retained	4194304
	##retain_threshold	1048576
	##settle_slope	104858
	##slope_threshold	52429
	##goroutines_baseline	4
	##goroutines_settled	5
	##goroutine_threshold	6
	##goroutineleak	-
	##profiler_heap	0
	##profiler_goroutines	0
	#kind	name	baseline	settled	delta
	heap	main.leak	0	4194304	4194304
	goroutine	runtime.main	1	2	1
	EOT
	test_cmp expect actual
'

# Serving one profile while the other's GC runs leaves the profiler's
# buffers live in the settle profiles: they are the measurement's own.
test_expect_success 'the samples of the profiler itself are left out of every figure, and counted' '
	P="main.main;net/http/pprof.handler.ServeHTTP;runtime/pprof.writeHeap;compress/flate.NewWriter" &&
	{
		for t in 10 20 30; do
			blk s$t $t $H $((10 * MIB)) "main.main;main.cache" $((t * 100000)) "$P" || return 1
		done
	} >prof &&
	blk bg 0 $G 3 "main.main;main.serve" 1 "net/http.(*conn).serve;net/http/pprof.Index;runtime/pprof.writeGoroutine" >gprof &&
	leak-verdict -G gbase -g gprof base prof >actual &&
	sed -n "/^##verdict/p; /^##heap_settled/p; /^##settle_slope/p; /^##goroutines_settled/p; /^##profiler_/p" actual >got &&
	cat >expect <<-\EOT &&
	##verdict	no-leak
	##heap_settled	10485760
	##settle_slope	0
	##goroutines_settled	3
	##profiler_heap	3000000
	##profiler_goroutines	1
	EOT
	test_cmp expect got &&
	! grep "pprof" actual | grep -v "^##"
'

test_expect_success 'retained but flat: bounded; within the threshold: no-leak' '
	leak-verdict base flat >actual &&
	grep "^##verdict	bounded$" actual &&
	grep "^##reason	the heap kept 4194304 bytes beyond the baseline (threshold 1048576) and does not grow over the settle window (0 B/s, threshold 52429 B/s)$" actual &&
	grep "^##goroutines_settled	-$" actual &&
	leak-verdict base none >actual &&
	grep "^##verdict	no-leak$" actual &&
	grep "^##retained	524288$" actual &&
	grep "^heap	main.buf	0	524288	524288$" actual
'

test_expect_success 'goroutines not back to baseline: likely-leak, their stacks grouped' '
	leak-verdict -G gbase -g gup base none >actual &&
	grep "^##verdict	likely-leak$" actual &&
	grep "; 9 goroutines against 4 at baseline (threshold 6)$" actual &&
	grep "^##goroutines_settled	9$" actual &&
	grep "^goroutine" actual >rows &&
	printf "goroutine\tmain.h;main.wait\t0\t5\t5\n" >expect &&
	test_cmp expect rows
'

test_expect_success 'goroutineleak samples: likely-leak, the rows of kind goroutineleak' '
	leak-verdict -l gleak base none >actual &&
	grep "^##verdict	likely-leak$" actual &&
	grep "^##goroutineleak	2$" actual &&
	grep "; 2 goroutines in the goroutineleak profile$" actual &&
	grep "^goroutineleak" actual >rows &&
	printf "goroutineleak\tmain.h;main.wait\t0\t2\t2\n" >expect &&
	test_cmp expect rows
'

test_expect_success 'one settle profile: no slope, retained is likely-leak; -n keeps the rows' '
	blk s0 10 $H $((12 * MIB)) "main.main;main.cache" 1 "main.a" 2 "main.b" >one &&
	leak-verdict base one >actual &&
	grep "^##verdict	likely-leak$" actual &&
	grep "^##settle_slope	-$" actual &&
	grep "^##slope_threshold	-$" actual &&
	grep "(threshold 1048576), one settle profile: no slope$" actual &&
	leak-verdict -n 1 base one >actual &&
	grep "^heap" actual >rows &&
	printf "heap\tmain.cache\t10485760\t12582912\t2097152\n" >expect &&
	test_cmp expect rows
'

test_expect_success 'bad inputs: file: reason, exit 1, nothing written' '
	cat base base >two &&
	{ blk s1 20 $H 1 "main.a"; blk s0 10 $H 1 "main.a"; } >backwards &&
	blk g 0 $G 1 "main.a" >notheap &&
	: >empty &&
	for a in "two leak" "base backwards" "notheap leak" "base empty" \
	    "base nope"; do
		# shellcheck disable=SC2086
		test_expect_code 1 leak-verdict $a >out 2>>errs &&
		test_must_be_empty out || return 1
	done &&
	cat >expect <<-\EOT &&
	leak-verdict: two: 2 profiles, not one: a baseline is one profile
	leak-verdict: backwards:11: profile s0 is older than the one before
	leak-verdict: notheap: no sample type inuse_space (the profile has: goroutine)
	leak-verdict: empty: empty stream: no profile blocks
	leak-verdict: nope: No such file or directory
	EOT
	test_cmp expect errs
'

test_expect_success 'usage: exit 2; -G without -g; --help: stdout, exit 0' '
	test_expect_code 2 leak-verdict base 2>err &&
	grep "^usage: leak-verdict \[-n count\]" err &&
	test_expect_code 2 leak-verdict -G gbase base leak 2>err &&
	grep "^usage: leak-verdict" err &&
	test_expect_code 2 leak-verdict -n x base leak 2>err &&
	grep "^leak-verdict: -n x: not a count$" err &&
	leak-verdict --help >out &&
	grep "^usage: leak-verdict" out
'

# On the workload: a baseline (heap?gc=1 and goroutine), LOAD seconds of
# whatever the case does, then three settle profiles a second apart.
# Thresholds there: 1 MiB retained (the heap is some 8 MiB), and 1 MiB
# over the 2 s span, 524288 B/s.
RATE=2097152

# settle URL NAME: NAME.base NAME.settle NAME.gbase NAME.gsettle, streams.
settle() {
	for _k in 0 1 2; do
		curl -sf -o "$2.h$_k.pprof" "$1/debug/pprof/heap?gc=1" &&
		curl -sf -o "$2.g$_k.pprof" "$1/debug/pprof/goroutine" || return 1
		[ $_k = 2 ] || sleep 1
	done &&
	pprof-decode "$2.h0.pprof" "$2.h1.pprof" "$2.h2.pprof" >"$2.settle" &&
	pprof-decode "$2.g0.pprof" "$2.g1.pprof" "$2.g2.pprof" >"$2.gsettle"
}

# baseline URL NAME
baseline() {
	curl -sf -o "$2.bh.pprof" "$1/debug/pprof/heap?gc=1" &&
	curl -sf -o "$2.bg.pprof" "$1/debug/pprof/goroutine" &&
	pprof-decode "$2.bh.pprof" >"$2.base" &&
	pprof-decode "$2.bg.pprof" >"$2.gbase"
}

verdict() {
	leak-verdict -G "$1.gbase" -g "$1.gsettle" "$1.base" "$1.settle" >"$1.tsv"
}

# key FILE KEY: the value of ##KEY.
key() {
	sed -n "s/^##$2	//p" "$1"
}

if test_have_prereq GO; then
	test_setup 'the workload three ways: leaking, leak off, grown then stopped' '
		start_server L workload -leak $RATE &&
		baseline "$L" leak && sleep 2 && settle "$L" leak &&
		start_server N workload -leak 0 &&
		baseline "$N" none && sleep 2 && settle "$N" none &&
		start_server B workload -leak 0 &&
		baseline "$B" bounded &&
		curl -sf -X POST "$B/leak?bytes=$RATE" >/dev/null && sleep 2 &&
		curl -sf -X POST "$B/leak?bytes=0" >/dev/null &&
		settle "$B" bounded &&
		stop_servers &&
		verdict leak && verdict none && verdict bounded
	'
	for c in leak none bounded; do
		[ ! -f $c.tsv ] || say "$(sed -n "s/^##reason	/$c: /p" $c.tsv)"
	done

	test_expect_success 'workload leaking: likely-leak, main.leakyRetain first' '
		grep "^##verdict	likely-leak$" leak.tsv &&
		grep "^heap	main.leakyRetain	" leak.tsv | head -n 1 >row &&
		grep -v "^#" leak.tsv | head -n 1 >first &&
		test_cmp row first &&
		slope=$(key leak.tsv settle_slope) &&
		# the leak rate within 25% (the leak is paced by 100 ms ticks)
		test "$slope" -gt $((RATE * 3 / 4)) && test "$slope" -lt $((RATE * 5 / 4))
	'

	test_expect_success 'workload with -leak 0: no-leak, goroutines back' '
		grep "^##verdict	no-leak$" none.tsv &&
		test "$(key none.tsv retained)" -lt $MIB &&
		test "$(key none.tsv goroutines_settled)" -le "$(key none.tsv goroutine_threshold)"
	'

	# 2 s at 2 MiB/s leaked, then none: some 4 MiB held, flat.
	test_expect_success 'workload grown then stopped (POST /leak?bytes=0): bounded' '
		grep "^##verdict	bounded$" bounded.tsv &&
		retained=$(key bounded.tsv retained) &&
		test "$retained" -gt $((3 * MIB)) && test "$retained" -lt $((6 * MIB)) &&
		slope=$(key bounded.tsv settle_slope) &&
		test "${slope#-}" -lt "$(key bounded.tsv slope_threshold)" &&
		grep "^heap	main.leakyRetain	" bounded.tsv
	'
fi

test_done
