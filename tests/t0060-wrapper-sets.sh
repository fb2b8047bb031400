#!/bin/sh
test_description='e2e-profile run sets: 5 runs with and 5 without a leak, compared with statistics; pprof files of runs and comparisons checked by go tool pprof'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'
command -v dash >/dev/null 2>&1 || skip_all 'needs dash'
unset E2E_PROFILE_REPEAT E2E_PROFILE_SUMMARY_LIMIT GITHUB_STEP_SUMMARY

P=$E2E_PROFILE_DIR
E2E_PROFILE_INTERVAL=1 E2E_PROFILE_CPU_DURATION=1 TEST_SECONDS=3
export E2E_PROFILE_INTERVAL E2E_PROFILE_CPU_DURATION TEST_SECONDS

# Go's heap profile has a sample per stack and allocation size (its bytes
# label), each only growing: the allocation profile's total (the sum of
# |first - last| per sample) is then the series' allocation, exactly.
# set_bg NAME URL: a set of five runs of a workload, in the background;
# its status lands in NAME.rc.
set_bg() {
	E2E_PROFILE_COMPONENTS="demo=$2" E2E_PROFILE_REPEAT=5 \
	    e2e_profile run "$1" sleep >"$1.out" 2>"$1.err"
	echo $? >"$1.rc"
}

test_setup 'two workloads, one without its leak; a set of five runs of each, side by side' '
	start_server W0 workload -leak 0 &&
	start_server W1 workload -leak 4194304 || return 1
	set_bg base "$W0" &
	p0=$!
	set_bg leak "$W1" &
	p1=$!
	wait "$p0" "$p1" &&
	echo 0 >want && test_cmp want base.rc && test_cmp want leak.rc
'

test_expect_success 'each set: NAME.1 ... NAME.5 and NAME.set naming them' '
	printf "#run\nleak.1\nleak.2\nleak.3\nleak.4\nleak.5\n" >want &&
	test_cmp want "$P/leak.set" &&
	printf "#run\nbase.1\nbase.2\nbase.3\nbase.4\nbase.5\n" >want &&
	test_cmp want "$P/base.set" &&
	for i in 1 2 3 4 5; do
		test -s "$P/leak.$i/analysis/demo.heap.series.tsv" || return 1
	done &&
	grep "^e2e-profile: set leak: run 5 of 5$" leak.err &&
	grep "^e2e-profile: set leak: 5 runs, listed in $P/leak.set$" leak.err &&
	test_must_be_empty leak.out
'

test_expect_success 'an existing set is not replaced' '
	test_expect_code 1 env E2E_PROFILE_COMPONENTS="demo=$W0" E2E_PROFILE_REPEAT=2 \
	    dash "$E2E" run base sleep 2>err &&
	grep "^e2e-profile: $P/base.1 exists: choose another NAME, remove the set, or set E2E_PROFILE_FORCE=1$" err
'

test_expect_success 'compare base leak: the slope a regression with p < 0.05, the CPU within noise' '
	e2e_profile compare base leak 2>err &&
	st=$P/comparisons/base-vs-leak.stats.tsv &&
	awk -F"\t" "\$2 == \"heap_slope\" { print \$3, \$10, \$19, \$20, \$21, \$22 }" "$st" >got &&
	echo "5 5 25 0.007937 exact regression" >want &&
	test_cmp want got &&
	awk -F"\t" "\$2 == \"cpu_ns\" { print \$NF }" "$st" >got &&
	echo "within noise" >want &&
	test_cmp want got &&
	grep "^demo: heap_slope: regression (p = 0.007937)$" err &&
	grep "^| heap slope | .* | 0.007937 (exact) | \*\*regression\*\* |$" \
	    "$P/comparisons/base-vs-leak.md" &&
	grep "^| CPU used | .* | within noise |$" "$P/comparisons/base-vs-leak.md"
'

test_expect_success 'two runs a side (lists): too few runs, for every figure' '
	e2e_profile compare base.1,base.2 leak.1,leak.2 2>err &&
	st=$P/comparisons/base.1+base.2-vs-leak.1+leak.2.stats.tsv &&
	grep -v "^#" "$st" | cut -f22 | sort -u >got &&
	echo "too few runs" >want &&
	test_cmp want got &&
	grep "figures: too few runs for the test to decide" \
	    "$P/comparisons/base.1+base.2-vs-leak.1+leak.2.md"
'

test_expect_success 'check: a budget from the baseline set; the leak over it (1), a baseline run within (0)' '
	e2e_profile compare --write-budget budget.tsv --margin 50 base 2>err &&
	test_expect_code 1 e2e_profile check leak --budget budget.tsv 2>err &&
	grep "^e2e-profile: check: demo: heap_slope [0-9.]* is over its budget" err &&
	test_expect_code 0 e2e_profile check base.5 --budget budget.tsv 2>err &&
	test_expect_code 1 e2e_profile check leak --baseline base 2>err &&
	grep "^e2e-profile: check: demo: heap_slope regressed: .* p = 0.007937$" err
'

# go tool pprof keeps state under HOME (the trash directory here).
# pprof_total FILE OPTIONS: the "of N total" of go tool pprof -top -unit=B
# (or -unit=ns), as an integer.
pprof_total() {
	_f=$1
	shift
	go tool pprof -top -symbolize=none "$@" "$_f" 2>/dev/null |
	    sed -n 's/.* of \(-\{0,1\}[0-9]*\)[a-zA-Z]* total$/\1/p'
}

test_expect_success 'pprof NAME: the merged CPU, the peak and the allocation, with the run'"'"'s totals, as the analysis wrote them' '
	r=$P/leak.1 &&
	rm -rf by-analysis && cp -R "$r/pprof" by-analysis &&
	e2e_profile pprof leak.1 2>err &&
	ls "$r/pprof" >got &&
	printf "demo.alloc.pb.gz\ndemo.cpu.pb.gz\ndemo.heap-peak.pb.gz\n" >want &&
	test_cmp want got &&
	for f in demo.alloc.pb.gz demo.cpu.pb.gz demo.heap-peak.pb.gz; do
		cmp by-analysis/$f "$r/pprof/$f" || return 1
	done &&
	pprof-decode "$r"/demo/cpu*.pprof | pprof-top -t cpu >top.tsv &&
	sed -n "s/^##total	//p" top.tsv >want &&
	pprof_total "$r/pprof/demo.cpu.pb.gz" -unit=ns >got &&
	test_cmp want got &&
	sed -n "s/^##peak	//p" "$r/analysis/demo.heap.series.tsv" >want &&
	pprof_total "$r/pprof/demo.heap-peak.pb.gz" -unit=B -sample_index=inuse_space >got &&
	test_cmp want got &&
	sed -n "s/^##alloc_space_during	//p" "$r/analysis/demo.heap.series.tsv" >want &&
	pprof_total "$r/pprof/demo.alloc.pb.gz" -unit=B -sample_index=alloc_space >got &&
	test_cmp want got &&
	say "leak.1: $(cat want) bytes allocated during the test"
'

test_expect_success 'compare of two runs: the peaks as a pprof diff, as go tool pprof -diff_base makes it' '
	e2e_profile compare base.1 leak.1 2>err &&
	d=$P/comparisons/base.1-vs-leak.1.pprof &&
	ls "$d" >got &&
	printf "demo.cpu.pb.gz\ndemo.heap-peak.pb.gz\n" >want &&
	test_cmp want got &&
	pa=$(cd "$P/base.1" && awk -F"\t" "\$1 == \"##peak_seq\" { p = \$2 } !/^#/ { s[\$1] = \$NF } END { print s[p] }" analysis/demo.heap.series.tsv) &&
	pb=$(cd "$P/leak.1" && awk -F"\t" "\$1 == \"##peak_seq\" { p = \$2 } !/^#/ { s[\$1] = \$NF } END { print s[p] }" analysis/demo.heap.series.tsv) &&
	go tool pprof -top -symbolize=none -sample_index=inuse_space \
	    -diff_base "$P/base.1/$pa" "$P/leak.1/$pb" >expect 2>/dev/null &&
	go tool pprof -top -symbolize=none -sample_index=inuse_space \
	    "$d/demo.heap-peak.pb.gz" >actual 2>/dev/null &&
	test_cmp expect actual
'

test_expect_success 'compare of two sets: the CPU of every run merged, as a diff of the base set'"'"'s total' '
	d=$P/comparisons/base-vs-leak.pprof &&
	ls "$d" >got &&
	echo demo.cpu.pb.gz >want &&
	test_cmp want got &&
	pprof-decode "$P"/base.[1-5]/demo/cpu*.pprof | pprof-top -t cpu >top.tsv &&
	sed -n "s/^##total	//p" top.tsv >want &&
	pprof_total "$d/demo.cpu.pb.gz" -unit=ns >got &&
	test_cmp want got
'

test_done
