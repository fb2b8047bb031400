#!/bin/sh
test_description='set-stats: median, CI of the median, Mann-Whitney U and the verdict per figure of two sets of runs; --figures'
. "$(dirname "$0")/lib.sh"

# set FILE FIGURE UNIT PREFIX VALUE...: a set file, rows appended.
set_rows() {
	_f=$1 _fig=$2 _u=$3 _p=$4
	shift 4
	[ -s "$_f" ] || printf '#run\tunit\tfigure\tvalue\n' >"$_f"
	_i=0
	for _v in "$@"; do
		_i=$((_i + 1))
		printf '%s.%d\t%s\t%s\t%s\n' "$_p" "$_i" "$_u" "$_fig" "$_v" >>"$_f"
	done
}

MB=1048576

# cols FILE: unit, figure and the columns from delta on, of the rows.
cols() {
	grep -v '^#' "$1" | cut -f1,2,17-
}

test_expect_success 'the whole output: 5 against 5, no overlap, exact p = 2/252' '
	set_rows a.tsv heap_slope demo base $MB $((2 * MB)) $((3 * MB)) \
	    $((4 * MB)) $((5 * MB)) &&
	set_rows b.tsv heap_slope demo fix $((10 * MB)) $((9 * MB)) \
	    $((8 * MB)) $((7 * MB)) $((6 * MB)) &&
	set-stats a.tsv b.tsv >actual &&
	cat >expect <<-EOT &&
	##a	a.tsv
	##b	b.tsv
	##test	Mann-Whitney U, two-sided: exact without ties and at most 25 runs a set, else normal with tie and continuity corrections
	##ci	median, distribution-free from order statistics, at least 95 % when n >= 6 (coverage in ci%)
	##alpha	0.05
	##noise	10
	#unit	figure	n_a	median_a	min_a	max_a	ci_low_a	ci_high_a	ci%_a	n_b	median_b	min_b	max_b	ci_low_b	ci_high_b	ci%_b	delta	delta%	u	p	method	verdict
	demo	heap_slope	5	3145728	1048576	5242880	1048576	5242880	93.75	5	8388608	6291456	10485760	6291456	10485760	93.75	5242880	166.67	25	0.007937	exact	regression
	EOT
	test_cmp expect actual
'

test_expect_success 'the other way round: an improvement, U = 0' '
	set-stats b.tsv a.tsv >actual &&
	cols actual >got &&
	printf "demo\theap_slope\t-5242880\t-62.50\t0\t0.007937\texact\timprovement\n" >expect &&
	test_cmp expect got
'

# R, ?wilcox.test (Hollander & Wolfe 1973, p. 69): x (10 values) and y
# (5) without ties; W = 35 for x, so U for y is 50 - 35 = 15, and R's
# one-sided p of 0.1272 is 0.2544 two-sided. The 95 % interval of the
# median of 10 values is [x(2), x(9)] at 1 - 2 * 11/1024 = 97.85 %.
test_expect_success 'a textbook case: R'"'"'s wilcox.test example, exact' '
	rm -f a.tsv b.tsv &&
	set_rows a.tsv cores_mean u x 0.80 0.83 1.89 1.04 1.45 1.38 1.91 \
	    1.64 0.73 1.46 &&
	set_rows b.tsv cores_mean u y 1.15 0.88 0.90 0.74 1.21 &&
	set-stats a.tsv b.tsv >actual &&
	grep -v "^#" actual >got &&
	printf "u\tcores_mean\t10\t1.415\t0.73\t1.91\t0.8\t1.89\t97.85\t5\t0.9\t0.74\t1.21\t0.74\t1.21\t93.75\t-0.515\t-36.40\t15\t0.2544\texact\twithin noise\n" >expect &&
	test_cmp expect got
'

# By hand: a = 1 2 2 3, b = 2 3 3 4 5. U = 5 + 4.5 + 4.5 + 3 = 17,
# mn/2 = 10; ties of 3 (the 2s) and 3 (the 3s): sum(t^3 - t) = 48;
# var = 20/12 * (10 - 48/72) = 15.5556; z = (7 - 0.5)/3.94405 = 1.64805;
# p = erfc(z / sqrt 2) = 0.09934.
test_expect_success 'ties: the normal approximation with tie and continuity corrections' '
	rm -f a.tsv b.tsv &&
	set_rows a.tsv goroutines u a 1 2 2 3 &&
	set_rows b.tsv goroutines u b 2 3 3 4 5 &&
	set-stats a.tsv b.tsv >actual &&
	cols actual >got &&
	printf "u\tgoroutines\t1\t50.00\t17\t0.09934\tnormal\twithin noise\n" >expect &&
	test_cmp expect got
'

test_expect_success 'too few runs: 2 against 2 and 3 against 3 cannot reach 0.05' '
	rm -f a.tsv b.tsv &&
	set_rows a.tsv peak_heap u a $MB $((2 * MB)) &&
	set_rows b.tsv peak_heap u b $((100 * MB)) $((200 * MB)) &&
	set_rows a.tsv cpu_ns u a 1e9 2e9 3e9 &&
	set_rows b.tsv cpu_ns u b 10e9 20e9 30e9 &&
	set-stats a.tsv b.tsv >actual &&
	cols actual >got &&
	printf "u\tpeak_heap\t155713536\t9900.00\t4\t0.3333\texact\ttoo few runs\n" >expect &&
	printf "u\tcpu_ns\t18000000000\t900.00\t9\t0.1\texact\ttoo few runs\n" >>expect &&
	test_cmp expect got
'

test_expect_success '4 against 4, no overlap: p = 2/70, enough' '
	rm -f a.tsv b.tsv &&
	set_rows a.tsv cpu_ns u a 1e9 2e9 3e9 4e9 &&
	set_rows b.tsv cpu_ns u b 10e9 20e9 30e9 40e9 &&
	set-stats a.tsv b.tsv >actual &&
	cols actual >got &&
	printf "u\tcpu_ns\t22500000000\t900.00\t16\t0.02857\texact\tregression\n" >expect &&
	test_cmp expect got
'

test_expect_success 'significant but under the floor, or under the noise percentage: within noise' '
	rm -f a.tsv b.tsv &&
	set_rows a.tsv cores_mean u a 0.10 0.11 0.12 0.13 0.14 &&
	set_rows b.tsv cores_mean u b 0.14 0.15 0.16 0.17 0.18 &&
	set_rows a.tsv peak_heap u a $((100 * MB)) $((101 * MB)) \
	    $((102 * MB)) $((103 * MB)) $((104 * MB)) &&
	set_rows b.tsv peak_heap u b $((105 * MB)) $((106 * MB)) \
	    $((107 * MB)) $((108 * MB)) $((109 * MB)) &&
	set-stats a.tsv b.tsv >actual &&
	cols actual | cut -f1,2,8 >got &&
	printf "u\tpeak_heap\twithin noise\nu\tcores_mean\twithin noise\n" >expect &&
	test_cmp expect got &&
	set-stats --noise 3 a.tsv b.tsv >actual &&
	cols actual | cut -f1,2,8 >got &&
	printf "u\tpeak_heap\tregression\nu\tcores_mean\twithin noise\n" >expect &&
	test_cmp expect got
'

test_expect_success 'a figure one set lacks; units sorted, known figures first' '
	rm -f a.tsv b.tsv &&
	set_rows a.tsv zeta w a 1 2 &&
	set_rows a.tsv goroutines w a 1 2 &&
	set_rows b.tsv zeta w b 1 2 &&
	set_rows a.tsv peak_heap v a 1 &&
	set-stats a.tsv b.tsv >actual &&
	grep -v "^#" actual | cut -f1,2,3,10,17- >got &&
	printf "v\tpeak_heap\t1\t0\t-\t-\t-\t-\t-\tmissing in b\n" >expect &&
	printf "w\tgoroutines\t2\t0\t-\t-\t-\t-\t-\tmissing in b\n" >>expect &&
	printf "w\tzeta\t2\t2\t0\t0.00\t2\t1\tnormal\ttoo few runs\n" >>expect &&
	test_cmp expect got
'

test_expect_success 'refused: a value that is no number, a run twice, other columns' '
	printf "#run\tunit\tfigure\tvalue\nr\tu\tpeak_heap\tlots\n" >bad.tsv &&
	test_expect_code 1 set-stats bad.tsv b.tsv >out 2>err &&
	echo "set-stats: bad.tsv: row 1: value is not a number" >expect &&
	test_cmp expect err &&
	test_must_be_empty out &&
	printf "#run\tunit\tfigure\tvalue\nr\tu\tpeak_heap\t1\nr\tu\tpeak_heap\t2\n" >bad.tsv &&
	test_expect_code 1 set-stats b.tsv bad.tsv 2>err &&
	echo "set-stats: bad.tsv: run r has peak_heap of u twice" >expect &&
	test_cmp expect err &&
	printf "#flat\tcum\n1\t2\n" >bad.tsv &&
	test_expect_code 1 set-stats bad.tsv b.tsv 2>err &&
	echo "set-stats: bad.tsv: expected the columns run, unit, figure, value (set-stats --figures)" >expect &&
	test_cmp expect err
'

test_expect_success 'an empty set: a header and no rows' '
	printf "#run\tunit\tfigure\tvalue\n" >e.tsv &&
	set-stats e.tsv e.tsv >actual &&
	{ grep -vc "^#" actual >got || :; } &&
	echo 0 >want &&
	test_cmp want got
'

test_expect_success 'usage' '
	test_expect_code 2 set-stats a.tsv 2>err &&
	printf "usage: set-stats [--noise pct] a.tsv b.tsv\n       set-stats --figures run ...\n       set-stats --budget file run.tsv [baseline.tsv]\n       set-stats --budget-from pct baseline.tsv\n" >expect &&
	test_cmp expect err &&
	test_expect_code 2 set-stats --noise -1 a.tsv b.tsv 2>err &&
	echo "set-stats: --noise: not a percentage: -1" >expect &&
	test_cmp expect err
'

test_setup 'a run directory with a heap, a CPU and a goroutine series' '
	mkdir -p runs/base.3/analysis &&
	cat >runs/base.3/analysis/demo.heap.series.tsv <<-\EOT &&
	##series	heap
	##type	inuse_space
	##unit	bytes
	#seq	time_ns	elapsed_ns	segment	duration_ns	inuse_space/bytes	source
	0	1000	0	0	0	100	demo/heap0.pprof
	1	2000	1000	0	0	300	demo/heap1.pprof
	##peak	300
	##slope_per_min	6000
	##span_ns	30000000000
	##alloc_space_during	5000
	EOT
	cat >runs/base.3/analysis/demo.cpu.series.tsv <<-\EOT &&
	##series	cpu
	#seq	time_ns	source
	0	1000	demo/cpu0.pprof
	##cpu_ns	250000000
	##cores_mean	0.125
	EOT
	cat >runs/base.3/analysis/other.goroutine.series.tsv <<-\EOT
	#seq	time_ns	source
	0	1000	other/goroutine0.pprof
	##last	17
	EOT
'

test_expect_success '--figures: every figure of every unit, the run by its name' '
	set-stats --figures runs/base.3/ >actual &&
	cat >expect <<-\EOT &&
	#run	unit	component	figure	value
	base.3	demo	demo	peak_heap	300
	base.3	demo	demo	mean_heap	200
	base.3	demo	demo	heap_slope	6000
	base.3	demo	demo	alloc_during	5000
	base.3	demo	demo	alloc_per_min	10000
	base.3	demo	demo	cpu_ns	250000000
	base.3	demo	demo	cores_mean	0.125
	base.3	other	other	goroutines	17
	EOT
	test_cmp expect actual
'

test_expect_success '--figures: a run without analysis is an error, the others still read' '
	mkdir runs/empty &&
	test_expect_code 1 set-stats --figures runs/empty runs/base.3 >actual 2>err &&
	echo "set-stats: runs/empty/analysis: No such file or directory" >expect &&
	test_cmp expect err &&
	test "$(grep -c "^base.3	" actual)" = 8
'

test_expect_success '--figures: components from units.tsv, else replicas -N of one name' '
	mkdir -p runs/r/analysis &&
	for u in oc-0 oc-1 solo-2 cd; do
		printf "#seq\tsource\n0\tx\n##last\t1\n" >runs/r/analysis/$u.goroutine.series.tsv || return 1
	done &&
	set-stats --figures runs/r >actual &&
	cut -f2,3 actual >got &&
	printf "unit\tcomponent\ncd\tcd\noc-0\toc\noc-1\toc\nsolo-2\tsolo-2\noc\toc\n" >want &&
	test_cmp want got &&
	grep "^r	oc	oc	sum_goroutines	2$" actual &&
	! grep leader_ actual &&
	printf "#unit\tcomponent\trole\tleader_s\tpods\ncd\tcatalogd\tsingle\t0\t-\n" >runs/r/units.tsv &&
	set-stats --figures runs/r >actual &&
	grep "^r	cd	catalogd	goroutines	1$" actual &&
	grep "^r	oc-0	oc	goroutines	1$" actual
'

# three runs of a unit "oc-0" (component oc): peak 300, 100 and 200,
# out of order (median 200).
test_setup 'figures of a run set and a baseline, for budgets' '
	printf "#run\tunit\tcomponent\tfigure\tvalue\n" >run.tsv &&
	printf "r.1\toc-0\toc\tpeak_heap\t300\nr.2\toc-0\toc\tpeak_heap\t100\n" >>run.tsv &&
	printf "r.3\toc-0\toc\tpeak_heap\t200\n" >>run.tsv &&
	printf "r.1\toc-0\toc\tcores_mean\t0.5\n" >>run.tsv &&
	printf "#run\tunit\tcomponent\tfigure\tvalue\n" >base.tsv &&
	printf "b.1\toc-0\toc\tpeak_heap\t150\n" >>base.tsv
'

test_expect_success '--budget: limits by unit, component or *, the median of the set against them' '
	printf "#unit\tfigure\tlimit\trelative\noc\tpeak_heap\t250\t-\n*\tcores_mean\t1\t-\noc-0\tpeak_heap\t1k\t-\n" >b.tsv &&
	test_expect_code 0 set-stats --budget b.tsv run.tsv >actual &&
	cat >expect <<-\EOT &&
	##budget	b.tsv
	##run	run.tsv
	##baseline	-
	#unit	figure	value	limit	baseline	allowed	verdict
	oc-0	peak_heap	200	250	-	250	ok
	oc-0	cores_mean	0.5	1	-	1	ok
	oc-0	peak_heap	200	1024	-	1024	ok
	EOT
	test_cmp expect actual
'

test_expect_success '--budget: over is exit 1; a relative limit takes the baseline median' '
	printf "#unit\tfigure\tlimit\trelative\noc\tpeak_heap\t1000\t25%%\n" >b.tsv &&
	test_expect_code 1 set-stats --budget b.tsv run.tsv base.tsv >actual &&
	grep -v "^##" actual >got &&
	printf "#unit\tfigure\tvalue\tlimit\tbaseline\tallowed\tverdict\noc-0\tpeak_heap\t200\t1000\t150\t187.5\tover\n" >want &&
	test_cmp want got
'

test_expect_success '--budget: missing data is exit 2 and says what is missing' '
	printf "#unit\tfigure\tlimit\trelative\noc\tpeak_heap\t-\t10\nnone\tcpu_ns\t1\t-\n" >b.tsv &&
	test_expect_code 2 set-stats --budget b.tsv run.tsv >actual &&
	grep -v "^#" actual >got &&
	printf "oc-0\tpeak_heap\t200\t-\t-\t-\tno baseline\nnone\tcpu_ns\t-\t1\t-\t-\tmissing\n" >want &&
	test_cmp want got &&
	test_expect_code 2 set-stats --budget b.tsv nosuch.tsv 2>err &&
	grep "^set-stats: nosuch.tsv: " err &&
	printf "#unit\tfigure\tlimit\noc\tpeak_heap\tlots\n" >b.tsv &&
	test_expect_code 2 set-stats --budget b.tsv run.tsv 2>err &&
	echo "set-stats: b.tsv: row 1: a limit is a number (or bytes with k, M, G), a relative limit a percentage, and one is needed" >expect &&
	test_cmp expect err
'

test_expect_success '--budget-from: the median plus the margin, or the floor' '
	set-stats --budget-from 20 run.tsv >actual &&
	cat >expect <<-\EOT &&
	##margin	20
	#unit	figure	limit	relative
	oc-0	peak_heap	1048776	-
	oc-0	cores_mean	0.6	-
	EOT
	test_cmp expect actual
'

test_done
