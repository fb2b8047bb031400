#!/bin/sh
test_description='set-stats: component-level figures (leader_, sum_) of replicas, a 2-replica set against a 1-replica set; budgets on components; md-report sets renders components first'
. "$(dirname "$0")/lib.sh"

MB=1048576

# unit RUN UNIT PEAK_MB GOROUTINES: a unit's heap (one profile at the
# peak) and goroutine series in RUN/analysis.
unit() {
	mkdir -p "runs/$1/analysis" &&
	printf '##type\tinuse_space\n##unit\tbytes\n#seq\ttime_ns\tinuse_space/bytes\tsource\n0\t1000\t%d\tx\n##peak\t%d\n' \
	    $(($3 * MB)) $(($3 * MB)) >"runs/$1/analysis/$2.heap.series.tsv" &&
	printf '#seq\tsource\n0\tx\n##last\t%d\n' "$4" \
	    >"runs/$1/analysis/$2.goroutine.series.tsv"
}

# sum_goroutines: 40 against 30 in every run, all ties: the normal
# approximation, U = 0, var = 16/12 (9 - 120/56), p = erfc(7.5/sqrt(var)/sqrt(2)).

# two RUN LEADER OC0_MB OC1_MB: a run of two replicas of oc, LEADER
# (0 or 1) held the lease.
two() {
	unit "$1" oc-0 "$3" 30 && unit "$1" oc-1 "$4" 10 &&
	if [ "$2" = 0 ]; then r0=leader r1=standby; else r0=standby r1=leader; fi &&
	printf '#unit\tcomponent\trole\tleader_s\tpods\noc-0\toc\t%s\t9\tp0\noc-1\toc\t%s\t0\tp1\n' \
	    "$r0" "$r1" >"runs/$1/units.tsv"
}

# The leader moves between replicas: oc-0's own figures mix leader and
# standby, the component's leader_ figures do not.
test_setup 'a set of four runs of two replicas, a set of four of one' '
	two a.1 0 100 20 && two a.2 0 110 21 &&
	two a.3 1 22 105 && two a.4 1 23 115 &&
	for i in 1 2 3 4; do
		unit b.$i oc $((59 + i)) 30 &&
		printf "#unit\tcomponent\trole\tleader_s\tpods\noc\toc\tsingle\t0\tp\n" >runs/b.$i/units.tsv || return 1
	done &&
	set-stats --figures runs/a.1 runs/a.2 runs/a.3 runs/a.4 >a.tsv &&
	set-stats --figures runs/b.1 runs/b.2 runs/b.3 runs/b.4 >b.tsv
'

test_expect_success '--figures: the leader by units.tsv, the sums over the replicas' '
	grep "^a.3	" a.tsv >actual &&
	cat >expect <<-EOT &&
	a.3	oc-0	oc	peak_heap	$((22 * MB))
	a.3	oc-0	oc	mean_heap	$((22 * MB))
	a.3	oc-0	oc	goroutines	30
	a.3	oc-1	oc	peak_heap	$((105 * MB))
	a.3	oc-1	oc	mean_heap	$((105 * MB))
	a.3	oc-1	oc	goroutines	10
	a.3	oc	oc	leader_peak_heap	$((105 * MB))
	a.3	oc	oc	leader_mean_heap	$((105 * MB))
	a.3	oc	oc	leader_goroutines	10
	a.3	oc	oc	sum_peak_heap	$((127 * MB))
	a.3	oc	oc	sum_mean_heap	$((127 * MB))
	a.3	oc	oc	sum_goroutines	40
	EOT
	test_cmp expect actual &&
	test "$(grep -c "^b.1	" b.tsv)" = 3 &&
	! grep "leader_\|sum_" b.tsv
'

test_expect_success '--figures: no leader_ rows when units.tsv names no leader' '
	mkdir -p runs/c && cp -R runs/a.1/analysis runs/c/ &&
	set-stats --figures runs/c >actual &&
	grep "	oc	oc	" actual | cut -f4,5 >got &&
	printf "sum_peak_heap\t%d\nsum_mean_heap\t%d\nsum_goroutines\t40\n" \
	    $((120 * MB)) $((120 * MB)) >want &&
	test_cmp want got
'

test_expect_success 'two replicas against one: the component compares, the lone unit is its leader and its sum' '
	set-stats a.tsv b.tsv >stats.tsv &&
	grep -v "^#" stats.tsv | cut -f1-4,10,11,17- >actual &&
	cat >expect <<-EOT &&
	oc	peak_heap	0	-	4	$((123 * MB / 2))	-	-	-	-	-	missing in a
	oc	mean_heap	0	-	4	$((123 * MB / 2))	-	-	-	-	-	missing in a
	oc	goroutines	0	-	4	30	-	-	-	-	-	missing in a
	oc	leader_peak_heap	4	$((215 * MB / 2))	4	$((123 * MB / 2))	-$((46 * MB))	-42.79	0	0.02857	exact	improvement
	oc	leader_mean_heap	4	$((215 * MB / 2))	4	$((123 * MB / 2))	-$((46 * MB))	-42.79	0	0.02857	exact	improvement
	oc	leader_goroutines	4	20	4	30	10	50.00	12	0.1814	normal	within noise
	oc	sum_peak_heap	4	$((129 * MB))	4	$((123 * MB / 2))	-$((135 * MB / 2))	-52.33	0	0.02857	exact	improvement
	oc	sum_mean_heap	4	$((129 * MB))	4	$((123 * MB / 2))	-$((135 * MB / 2))	-52.33	0	0.02857	exact	improvement
	oc	sum_goroutines	4	40	4	30	-10	-25.00	0	0.01312	normal	improvement
	oc-0	peak_heap	4	$((123 * MB / 2))	0	-	-	-	-	-	-	missing in b
	EOT
	head -n 10 actual >got &&
	test_cmp expect got
'

test_expect_success '--budget: a component with replicas is held by its sum; leader_ and sum_ by name; * by unit' '
	printf "#unit\tfigure\tlimit\trelative\noc\tpeak_heap\t128M\t-\noc\tleader_peak_heap\t100M\t-\n*\tgoroutines\t35\t-\n" >budget.tsv &&
	test_expect_code 1 set-stats --budget budget.tsv a.tsv >actual &&
	grep -v "^#" actual >got &&
	cat >want <<-EOT &&
	oc	sum_peak_heap	$((129 * MB))	$((128 * MB))	-	$((128 * MB))	over
	oc	leader_peak_heap	$((215 * MB / 2))	$((100 * MB))	-	$((100 * MB))	over
	oc-0	goroutines	30	35	-	35	ok
	oc-1	goroutines	10	35	-	35	ok
	EOT
	test_cmp want got
'

test_expect_success '--budget: one replica against a baseline of two: the sum, relative to the baseline sum' '
	printf "#unit\tfigure\tlimit\trelative\noc\tpeak_heap\t-\t10%%\n" >budget.tsv &&
	test_expect_code 0 set-stats --budget budget.tsv b.tsv a.tsv >actual &&
	grep -v "^#" actual >got &&
	printf "oc\tsum_peak_heap\t%d\t-\t%d\t%s\tok\n" $((123 * MB / 2)) \
	    $((129 * MB)) 148792934.4 >want &&
	test_cmp want got &&
	test_expect_code 2 set-stats --budget budget.tsv b.tsv >actual &&
	grep -v "^#" actual >got &&
	printf "oc\tpeak_heap\t%d\t-\t-\t-\tno baseline\n" $((123 * MB / 2)) >want &&
	test_cmp want got
'

test_expect_success 'md-report sets: the component first, then the replicas' '
	md-report sets a b stats.tsv >report.md &&
	grep "^## \|^| sum over\|^| leader" report.md >actual &&
	cat >expect <<-\EOT &&
	## `oc` (component)
	| leader: peak heap in use | 107.50MB [100MB – 115MB, 87.50 %] (4) | 61.50MB [60MB – 63MB, 87.50 %] (4) | -42.79 % | 0.02857 (exact) | **improvement** |
	| leader: mean heap in use | 107.50MB [100MB – 115MB, 87.50 %] (4) | 61.50MB [60MB – 63MB, 87.50 %] (4) | -42.79 % | 0.02857 (exact) | **improvement** |
	| leader: goroutines at the end | 20 [10 – 30, 87.50 %] (4) | 30 [30 – 30, 87.50 %] (4) | 50.00 % | 0.1814 (normal) | within noise |
	| sum over replicas: peak heap in use | 129MB [120MB – 138MB, 87.50 %] (4) | 61.50MB [60MB – 63MB, 87.50 %] (4) | -52.33 % | 0.02857 (exact) | **improvement** |
	| sum over replicas: mean heap in use | 129MB [120MB – 138MB, 87.50 %] (4) | 61.50MB [60MB – 63MB, 87.50 %] (4) | -52.33 % | 0.02857 (exact) | **improvement** |
	| sum over replicas: goroutines at the end | 40 [40 – 40, 87.50 %] (4) | 30 [30 – 30, 87.50 %] (4) | -25.00 % | 0.01312 (normal) | **improvement** |
	## `oc`
	## `oc-0`
	## `oc-1`
	EOT
	test_cmp expect actual &&
	grep "A sum of peak heaps is an upper bound of the component.s peak" report.md
'

test_done
