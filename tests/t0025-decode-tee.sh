#!/bin/sh
test_description='pprof-decode --tee: the stream on stdout and, block for block, in a file or fifo'
. "$(dirname "$0")/lib.sh"

P=$CORPUS/profiles

# Profiles of the project's own making: a CPU stream of 1500 stacks, over
# obuf's 64 KiB block, encoded by pprof-encode.
test_setup 'two CPU profiles from pprof-encode' '
	for n in 1 2; do
		{
			printf "##profile\tc$n.pprof\n##time\t170000000${n}000000000\t-\n" &&
			printf "##duration\t10000000000\n##period\t10000000\tcpu\tnanoseconds\n" &&
			printf "#samples/count\tcpu/nanoseconds\tsite\tlabels\tstack\n" &&
			awk -v n="$n" "BEGIN { for (i = 1; i <= 1500; i++)
				printf \"%d\t%d\ts%d\t\tmain.main;pkg/sub.(*T).work%d;runtime.mallocgc_%d\n\",
				    i, i * 10000000 * n, i, i % 17, i }"
		} >s$n &&
		pprof-encode -o c$n.pb.gz s$n || return 1
	done
'

test_expect_success 'three tees: each gets what stdout gets, bad input included' '
	printf "not a profile" >bad.pprof &&
	test_expect_code 1 pprof-decode c1.pb.gz bad.pprof c2.pb.gz \
	    >plain 2>err.plain &&
	test_expect_code 1 pprof-decode --tee t1 --tee t2 --tee t3 c1.pb.gz \
	    bad.pprof c2.pb.gz >out 2>err.tee &&
	test "$(wc -c <plain)" -gt 65536 &&
	test_cmp plain out &&
	test_cmp plain t1 &&
	test_cmp plain t2 &&
	test_cmp plain t3 &&
	test_cmp err.plain err.tee &&
	test "$(grep -c "^##profile" t3)" = 2
'

test_expect_success 'two fifos read by two filters, stdout by a third: as from the stream' '
	pprof-decode c1.pb.gz c2.pb.gz >stream &&
	pprof-top stream >top.expect &&
	pprof-series stream >series.expect &&
	rm -f top.fifo enc.fifo &&
	mkfifo top.fifo enc.fifo &&
	{ pprof-top <top.fifo >top.out & } &&
	{ pprof-encode -o enc.pb.gz <enc.fifo & } &&
	pprof-decode --tee top.fifo --tee enc.fifo c1.pb.gz c2.pb.gz >tee.stream &&
	wait &&
	pprof-series tee.stream >series.out &&
	pprof-encode -o enc.expect.pb.gz stream &&
	test_cmp top.expect top.out &&
	test_cmp series.expect series.out &&
	cmp enc.expect.pb.gz enc.pb.gz
'

test_expect_success 'a tee that refuses the write: exit 1, the message names it' '
	test -w /dev/full || { say "no /dev/full: skipped"; return 0; }
	test_expect_code 1 pprof-decode --tee t1 --tee /dev/full c1.pb.gz \
	    >out 2>err &&
	grep -q "^pprof-decode: /dev/full: No space left on device$" err
'

if test_have_prereq CORPUS; then
	test_expect_success 'a file gets what stdout gets, bad input included' '
		printf "not a profile" >bad.pprof &&
		test_expect_code 1 pprof-decode "$P/synth-heap-1.pb.gz" \
		    bad.pprof "$P/pprof-large.cpu.pb.gz" >plain 2>err.plain &&
		test_expect_code 1 pprof-decode --tee copy "$P/synth-heap-1.pb.gz" \
		    bad.pprof "$P/pprof-large.cpu.pb.gz" >out 2>err.tee &&
		test_cmp plain out &&
		test_cmp plain copy &&
		test_cmp err.plain err.tee &&
		test "$(grep -c "^##profile" copy)" = 2
	'

	test_expect_success 'a fifo read by a second filter: its output as from the stream itself' '
		pprof-decode "$P/pprof-large.cpu.pb.gz" >stream &&
		pprof-top stream >top.expect &&
		pprof-series stream >series.expect &&
		rm -f top.fifo &&
		mkfifo top.fifo &&
		{ pprof-top <top.fifo >top.out & } &&
		pprof-decode --tee top.fifo "$P/pprof-large.cpu.pb.gz" >tee.stream &&
		wait &&
		pprof-series tee.stream >series.out &&
		test_cmp top.expect top.out &&
		test_cmp series.expect series.out
	'

	test_expect_success '--folded goes to the file too' '
		pprof-decode --folded "$P/synth-heap-1.pb.gz" >folded.expect &&
		pprof-decode --folded --tee folded.copy "$P/synth-heap-1.pb.gz" \
		    >folded.out &&
		test_cmp folded.expect folded.out &&
		test_cmp folded.expect folded.copy
	'
else
	test_skip 'pprof-decode --tee on the corpus' 'no corpus'
fi

test_expect_success 'a file that cannot be opened: exit 1 naming it, nothing decoded' '
	test_expect_code 1 pprof-decode --tee nodir/copy - </dev/null \
	    >out 2>err &&
	test_must_be_empty out &&
	grep -q "^pprof-decode: nodir/copy: No such file or directory" err
'

test_expect_success 'the second of two tees cannot be opened: exit 1 naming it' '
	test_expect_code 1 pprof-decode --tee ok --tee nodir/copy - </dev/null \
	    >out 2>err &&
	test_must_be_empty out &&
	grep -q "^pprof-decode: nodir/copy: No such file or directory" err
'

test_done
