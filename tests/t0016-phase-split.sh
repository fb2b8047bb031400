#!/bin/sh
test_description='phase-split: a heap series cut by the phases of test-events.tsv, growth and -base allocation per phase'
. "$(dirname "$0")/lib.sh"

# A heap series of two processes (a restart at seq 3), one profile a
# second from t = 1000 ns on (the times are small to keep the sums
# readable); only the columns phase-split reads matter.
test_setup 'a series and the events of a log' '
	cat >series.tsv <<-\EOT &&
	##series	heap
	##type	inuse_space
	##unit	bytes
	#seq	time_ns	elapsed_ns	segment	duration_ns	alloc_objects/count	alloc_space/bytes	inuse_objects/count	inuse_space/bytes	source
	0	1000	0	0	0	1	100	1	50	oc/heap0.pprof
	1	2000	1000	0	0	2	300	2	80	oc/heap1.pprof
	2	3000	2000	0	0	3	700	3	120	oc/heap2.pprof
	3	4000	3000	1	0	1	50	1	40	oc/heap3.pprof
	4	5000	4000	1	0	2	250	2	90	oc/heap4.pprof
	5	6000	5000	1	0	3	400	3	100	oc/heap5.pprof
	##profiles	6
	##alloc_space_during	950
	EOT
	printf "phase\t\\\\1\t*\t^phase (.*)\$\n" >pat &&
	printf "0\tphase cluster\n500\tphase setup\n2500\tphase e2e\n" >log &&
	printf "3500\ttext\n4500\tphase teardown\n7000\tdone\n" >>log &&
	test-events --patterns pat log >events.tsv
'

test_expect_success 'per phase, exactly; the boundary profile shared' '
	phase-split series.tsv events.tsv >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOT &&
	##phases	heap
	##series	series.tsv
	##events	events.tsv
	#phase	start_ns	end_ns	duration_ns	profiles	first_seq	last_seq	inuse_first	inuse_last	growth	alloc_during	cpu_cores
	cluster	0	500	500	1	0	0	50	50	0	0	-
	setup	500	2500	2000	3	0	2	50	120	70	600	-
	e2e	2500	4500	2000	3	2	4	120	90	50	200	-
	teardown	4500	7000	2500	2	4	5	90	100	10	150	-
	EOT
	test_cmp expect actual
'

# Within one process each phase is pprof -base of its last profile over
# its first; with the boundary profile shared the phases add up to the
# run: 0 + 600 + 200 + 150 = the series'"'"' 950.
test_expect_success 'the phases'"'"' allocation adds up to the series'"'"' alloc_space_during' '
	awk -F"\t" "!/^#/ { s += \$11 } END { print s }" actual >sum &&
	echo 950 >expect &&
	test_cmp expect sum
'

test_expect_success 'a phase after the last profile has none' '
	printf "#time_ns\ttime\tkind\tname\n" >late.tsv &&
	printf "8000\tx\tphase-start\tlate\n9000\tx\tphase-end\tlate\n" >>late.tsv &&
	phase-split series.tsv late.tsv >actual &&
	printf "late\t8000\t9000\t1000\t0\t-\t-\t-\t-\t-\t-\t-\n" >expect &&
	grep -v "^#" actual >rows &&
	test_cmp expect rows
'

# CPU windows of 1000 ns: [0,1000) 500 ns of CPU, [1000,2000) 1000 ns,
# [3000,4000) 2000 ns, [6000,7000) 0. Each counts for its part inside a
# phase: setup (500..2500) gets half of the first (250 ns over 500 ns)
# and all of the second (1000 over 1000): 1250/1500 = 0.833333; e2e
# (2500..4500) the third alone: 2.0; teardown (4500..7000) the last:
# 0; cluster (0..500) half the first: 250/500.
test_expect_success '--cpu: mean cores over the parts of the windows inside each phase' '
	cat >cpu.tsv <<-\EOT &&
	##series	cpu
	#seq	time_ns	elapsed_ns	segment	duration_ns	samples/count	cpu/nanoseconds	cores	source
	0	0	0	0	1000	5	500	0.5	oc/cpu0.pprof
	1	1000	1000	0	1000	10	1000	1	oc/cpu1.pprof
	2	3000	3000	0	1000	20	2000	2	oc/cpu2.pprof
	3	6000	6000	0	1000	0	0	0	oc/cpu3.pprof
	EOT
	phase-split --cpu cpu.tsv series.tsv events.tsv >actual 2>err &&
	test_must_be_empty err &&
	grep "^##cpu	cpu.tsv$" actual &&
	grep -v "^#" actual | cut -f1,12 >cores &&
	printf "cluster\t0.500000\nsetup\t0.833333\ne2e\t2.000000\nteardown\t0.000000\n" >expect &&
	test_cmp expect cores &&
	phase-split --cpu cpu.tsv series.tsv late.tsv >actual &&
	grep -v "^#" actual | cut -f12 >cores &&
	echo - >expect &&
	test_cmp expect cores
'

test_expect_success '--cpu: a bad CPU series is refused, nothing written' '
	sed "s/^##series	cpu/##series	heap/" cpu.tsv >c1 &&
	sed "s/^1	1000	1000	0	1000/1	1000	1000	0	x/" cpu.tsv >c2 &&
	sed "s/cpu\/nanoseconds/cpu\/count/" cpu.tsv >c3 &&
	for c in c1 c2 c3; do
		test_expect_code 1 phase-split --cpu $c series.tsv events.tsv \
		    >out 2>>cerrs &&
		test_must_be_empty out || return 1
	done &&
	cat >expect <<-\EOT &&
	phase-split: c1: not a CPU series (##series cpu)
	phase-split: c2:4: a field is not a number
	phase-split: c3: no cpu/nanoseconds column
	EOT
	test_cmp expect cerrs
'

test_expect_success 'bad inputs: file:line: reason, exit 1, nothing written' '
	ev() { printf "#time_ns\ttime\tkind\tname\n"; printf "%s\n" "$@"; } &&
	ev "1	x	phase-end	a" >e1 &&
	ev "1	x	phase-start	a" "2	x	phase-start	b" >e2 &&
	ev "1	x	phase-start	a" "2	x	phase-end	b" >e3 &&
	ev "1	x	phase-start	a" >e4 &&
	ev "5	x	phase-start	a" "2	x	phase-end	a" >e5 &&
	ev "x	x	phase-start	a" >e6 &&
	printf "#time_ns\tkind\n" >e7 &&
	sed "s/^##series	heap/##series	cpu/" series.tsv >s1 &&
	sed "s/^3	4000/3	999/" series.tsv >s2 &&
	sed "s/^3	4000	3000	1/3	4000	3000	x/" series.tsv >s3 &&
	sed "s/inuse_space\/bytes/inuse_space\/count/" series.tsv >s4 &&
	cp series.tsv s5 && printf "0\t1" >>s5 &&
	for a in "series.tsv e1" "series.tsv e2" "series.tsv e3" \
	    "series.tsv e4" "series.tsv e5" "series.tsv e6" "series.tsv e7" \
	    "s1 events.tsv" "s2 events.tsv" "s3 events.tsv" "s4 events.tsv" \
	    "s5 events.tsv" "series.tsv nope"; do
		# shellcheck disable=SC2086
		test_expect_code 1 phase-split $a >out 2>>errs &&
		test_must_be_empty out || return 1
	done &&
	cat >expect <<-\EOT &&
	phase-split: e1:2: phase-end a while no phase is open
	phase-split: e2:3: phase-start b while a is open
	phase-split: e3:3: phase-end b while a is open
	phase-split: e4: phase a never ends
	phase-split: e5:3: a ends before it starts
	phase-split: e6:2: time_ns is not a number
	phase-split: e7: no name column
	phase-split: s1: not a heap series (##series heap)
	phase-split: s2:8: out of time order
	phase-split: s3:8: a field is not a number
	phase-split: s4: no inuse_space/bytes column
	phase-split: s5:13: a last line without its newline (cut off)
	EOT
	head -n 12 errs >actual &&
	test_cmp expect actual &&
	tail -n 1 errs >actual &&
	grep "^phase-split: nope: " actual
'

test_expect_success 'usage: exit 2; --help: stdout, exit 0' '
	test_expect_code 2 phase-split series.tsv 2>err &&
	grep "^usage: phase-split \[--cpu cpu-series.tsv\] series.tsv test-events.tsv$" err &&
	phase-split --help >out &&
	grep "^usage: phase-split \[--cpu cpu-series.tsv\] series.tsv test-events.tsv$" out
'

test_done
