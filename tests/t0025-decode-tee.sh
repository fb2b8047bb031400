#!/bin/sh
test_description='pprof-decode --tee: the stream on stdout and, block for block, in a file or fifo'
. "$(dirname "$0")/lib.sh"

P=$CORPUS/profiles

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

test_expect_success '--tee given twice is a usage error' '
	test_expect_code 2 pprof-decode --tee a --tee b - </dev/null >out 2>err &&
	test_must_be_empty out &&
	grep -q "given twice" err
'

test_done
