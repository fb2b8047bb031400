#!/bin/sh
test_description='pprof-fetch --seq-start: a restarted collector goes on numbering, in file names and in the log'
. "$(dirname "$0")/lib.sh"

TAB=$(printf '\t')

test_expect_success 'a bad --seq-start is a usage error, exit 2, nothing fetched' '
	mkdir out &&
	test_expect_code 2 pprof-fetch --seq-start -1 -o "out/h%d" \
	    http://127.0.0.1:9/ >stdout 2>stderr &&
	echo "pprof-fetch: --seq-start: not a whole number from 0 to 4611686018427387903: -1" >expect &&
	test_cmp expect stderr &&
	test_must_be_empty stdout &&
	test_expect_code 2 pprof-fetch --seq-start 1x -o "out/h%d" \
	    http://127.0.0.1:9/ >stdout 2>stderr &&
	echo "pprof-fetch: --seq-start: not a whole number from 0 to 4611686018427387903: 1x" >expect &&
	test_cmp expect stderr &&
	test -z "$(ls -A out)"
'

test_expect_success '--help lists --seq-start' '
	pprof-fetch --help >out.txt &&
	grep "^  --seq-start n  " out.txt
'

if ! test_have_prereq GO; then
	test_skip 'the workload' 'needs go and the Go test programs (make go-progs)'
	test_done
fi

test_setup 'a workload to fetch from' '
	start_server W workload
'

test_expect_success 'a schedule numbered from 5: files and log seq 5 and 6' '
	mkdir u &&
	printf "u\t%s\tu/heap%%d.pprof\n" "$W/debug/pprof/heap" >t.tsv &&
	pprof-fetch --every 0.2 --count 2 --seq-start 5 --targets t.tsv >log 2>err &&
	test_must_be_empty err &&
	ls u >actual &&
	printf "heap5.pprof\nheap6.pprof\n" >expect &&
	test_cmp expect actual &&
	grep -v "^#" log | cut -f2-5,9 >actual &&
	cat >expect <<-EOF &&
	u${TAB}heap${TAB}5${TAB}ok${TAB}u/heap5.pprof
	u${TAB}heap${TAB}6${TAB}ok${TAB}u/heap6.pprof
	EOF
	test_cmp expect actual
'

test_expect_success 'one round numbered 7 leaves the earlier files alone' '
	cp u/heap5.pprof before &&
	pprof-fetch --seq-start 7 --targets t.tsv >log 2>err &&
	test_must_be_empty err &&
	ls u >actual &&
	printf "heap5.pprof\nheap6.pprof\nheap7.pprof\n" >expect &&
	test_cmp expect actual &&
	cmp before u/heap5.pprof &&
	grep -v "^#" log | cut -f4,5 >actual &&
	printf "7\tok\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'skipped slots carry the offset number too' '
	printf "c\t%s\tu/cpu%%d.pprof\n" "$W/debug/pprof/profile?seconds=1" >c.tsv &&
	pprof-fetch --every 0.5 --count 2 --seq-start 3 --targets c.tsv >log 2>err &&
	test_must_be_empty err &&
	grep -v "^#" log | cut -f4,5 | sort >actual &&
	printf "3\tok\n4\tskipped\n" >expect &&
	test_cmp expect actual &&
	grep "seq 3 still in flight" log
'

test_done
