#!/bin/sh
test_description='pprof-diff equals go tool pprof -top -base, flat and cum per function, to the unit'
. "$(dirname "$0")/lib.sh"

command -v go >/dev/null 2>&1 || skip_all 'needs go for the go tool pprof oracle'

# go tool pprof keeps state under HOME; keep it in the trash directory.
HOME=$TRASH
export HOME

# The oracle: go tool pprof -top -base A B with every node, values in the
# raw unit (-unit=B or -unit=ns: pprof then prints integers with a unit
# suffix, never scaled), as "function<TAB>flat<TAB>cum", sorted. Lines of
# the table are "flat flat% sum% cum cum%  name[ (inline)]".
oracle() {
	_type=$1 _unit=$2 _a=$3 _b=$4
	shift 4
	go tool pprof -top -nodefraction=0 -symbolize=none -unit="$_unit" \
	    -sample_index="$_type" "$@" -base "$_a" "$_b" >pprof.out 2>/dev/null &&
	sed -n '/^ *flat  *flat%/,$p' pprof.out | sed 1d |
	sed -E 's/^ *([^ ]+) +[^ ]+ +[^ ]+ +([^ ]+) +[^ ]+  (.*)$/\3	\1	\2/
	    s/ \((partial-)?inline\)	/	/' |
	awk -F'\t' -v OFS='\t' '{
		sub(/[A-Za-z]+$/, "", $2); sub(/[A-Za-z]+$/, "", $3); print
	}' | sort >expect
}

# compare: every function pprof lists has pprof-diff's flat and cum
# deltas; pprof leaves out a function whose samples all cancel, and
# pprof-diff must have zero deltas for each such function.
compare() {
	grep -v '^#' diff.tsv | awk -F'\t' -v OFS='\t' '{ print $9, $3, $7 }' |
	    sort >actual &&
	join -t '	' expect actual >both &&
	awk -F'\t' '$2 != $4 || $3 != $5 { print "differ:", $0; bad = 1 }
	    END { exit bad }' both &&
	join -t '	' -v 1 expect actual >missing &&
	test_must_be_empty missing &&
	join -t '	' -v 2 actual expect |
	    awk -F'\t' '$2 != 0 || $3 != 0 { print "pprof lists no", $0; bad = 1 }
	    END { exit bad }' &&
	test "$(wc -l <both)" -gt 0 &&
	say "$(wc -l <both) functions compared"
}

# check NAME TYPE UNIT A B [--normalize]
check() {
	_name=$1 _t=$2 _u=$3 _a=$4 _b=$5 _n=${6:-}
	test_expect_success "$_name" "
		oracle $_t $_u '$_a' '$_b' ${_n:+-normalize} &&
		pprof-decode '$_a' >a.stream && pprof-decode '$_b' >b.stream &&
		pprof-diff -t $_t $_n a.stream b.stream >diff.tsv &&
		compare
	"
}

if test_have_prereq CORPUS; then
	P=$CORPUS/profiles
	for t in inuse_space inuse_objects alloc_space alloc_objects; do
		check "corpus: synth-heap-1 vs synth-heap-2, $t" $t B \
		    "$P/synth-heap-1.pb.gz" "$P/synth-heap-2.pb.gz"
	done
	check 'corpus: synth-heap-1 vs synth-heap-3, --normalize' inuse_space B \
	    "$P/synth-heap-1.pb.gz" "$P/synth-heap-3.pb.gz" --normalize
	check 'corpus: negative values (synth-delta-5 vs synth-heap-2)' \
	    alloc_space B "$P/synth-delta-5.pb" "$P/synth-heap-2.pb.gz"
	check 'corpus: two CPU profiles of different programs' cpu ns \
	    "$P/synth-cpu-4.pb.gz" "$P/pprof-sample.cpu.pb.gz"

	test_expect_success 'corpus: go-runtime-heap vs itself: all zero, as pprof' '
		f=$P/go-runtime-heap.pb.gz &&
		oracle inuse_space B "$f" "$f" &&
		test_must_be_empty expect &&
		pprof-decode "$f" >s &&
		pprof-diff s s >diff.tsv &&
		grep -v "^#" diff.tsv | cut -f3,7 | sort -u >got &&
		printf "0\t0\n" >want &&
		test_cmp want got &&
		grep "^##total_delta	" diff.tsv >got &&
		printf "##total_delta\t0\n" >want &&
		test_cmp want got
	'
else
	test_skip 'corpus comparisons' "no corpus at $CORPUS"
fi

if test_have_prereq GO; then
	test_setup 'profiles of the Go workload, two seconds apart' '
		start_server W workload -leak 4194304 -churn 8388608 \
		    -memprofilerate 1 &&
		curl -sf -o heap1.pb.gz "$W/debug/pprof/heap?gc=1" &&
		sleep 2 &&
		curl -sf -o heap2.pb.gz "$W/debug/pprof/heap?gc=1" &&
		stop_servers
	'
	for t in inuse_space inuse_objects alloc_space alloc_objects; do
		check "workload: heap1 vs heap2, $t" $t B heap1.pb.gz heap2.pb.gz
	done
	check 'workload: heap1 vs heap2, --normalize' alloc_space B \
	    heap1.pb.gz heap2.pb.gz --normalize

	test_expect_success 'workload: the leak is what main.leakyRetain gained' '
		pprof-decode heap1.pb.gz >a.stream &&
		pprof-decode heap2.pb.gz >b.stream &&
		pprof-diff -t inuse_space a.stream b.stream >diff.tsv &&
		awk -F"\t" "\$9 == \"main.leakyRetain\" { print \$3 }" diff.tsv >gain &&
		gain=$(cat gain) &&
		say "main.leakyRetain gained $gain bytes in about 2 s at 4 MiB/s" &&
		test "$gain" -ge $((4194304 * 2 * 80 / 100)) &&
		test "$gain" -le $((4194304 * 4))
	'
else
	test_skip 'workload comparisons' 'no Go workload (make go-progs)'
fi

test_done
