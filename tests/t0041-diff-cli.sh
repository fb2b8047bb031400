#!/bin/sh
test_description='pprof-diff: per-function deltas of two streams or two pprof-top tables, --normalize, sorting and bad input'
. "$(dirname "$0")/lib.sh"

# stream SOURCE [TYPE/UNIT]: a one-type sample stream; rows on stdin as
# "value site stack".
stream() {
	printf '##profile\t%s\n##time\t1700000000000000000\t-\n' "$1"
	printf '#%s\tsite\tlabels\tstack\n' "${2:-space/bytes}"
	while read -r v site stack; do
		printf '%s\t%s\t\t%s\n' "$v" "$site" "$stack"
	done
}

test_setup 'two profiles: a grows, b recurses and stays, c goes, d and e come' '
	stream a.pprof >a <<-\EOT &&
	10 s1 main.main;main.a
	20 s2 main.main;main.b;main.b
	5 s3 main.main;main.c
	EOT
	stream b.pprof >b <<-\EOT
	30 s1 main.main;main.a
	20 s2 main.main;main.b;main.b
	7 s4 main.main;main.d_[i]
	3 s5 main.main;main.e
	3 s5 main.main;main.e
	EOT
'

test_expect_success 'A, B, delta and delta% for flat and cum, sorted by |delta|' '
	pprof-diff a b >actual &&
	cat >expect <<-\EOT &&
	##type	space
	##unit	bytes
	##a	a
	##b	b
	##scale_b	1
	##total_a	35
	##total_b	63
	##total_delta	28
	##total_delta%	80.00
	#flat_a	flat_b	flat_delta	flat_delta%	cum_a	cum_b	cum_delta	cum_delta%	function
	10	30	20	200.00	10	30	20	200.00	main.a
	0	7	7	-	0	7	7	-	main.d
	0	6	6	-	0	6	6	-	main.e
	5	0	-5	-100.00	5	0	-5	-100.00	main.c
	0	0	0	-	35	63	28	80.00	main.main
	20	20	0	0.00	20	20	0	0.00	main.b
	EOT
	test_cmp expect actual
'

test_expect_success '--sort cum orders by |cum delta|' '
	pprof-diff --sort cum a b >actual &&
	grep -v "^#" actual | cut -f9 >got &&
	printf "main.main\nmain.a\nmain.d\nmain.e\nmain.c\nmain.b\n" >expect &&
	test_cmp expect got
'

# sum(A)/sum(B) = 35/63; B is scaled sample by sample after merging equal
# samples, then rounded, as pprof -normalize does: main.e is one sample
# of 6 (6*35/63 = 3.33 -> 3), not two of 3 (1.67 -> 2, twice).
test_expect_success '--normalize scales B to the total of A, per merged sample' '
	pprof-diff --normalize a b >actual &&
	grep -v "^#" actual | cut -f1-3,9 >got &&
	cat >expect <<-\EOT &&
	5	0	-5	main.c
	0	4	4	main.d
	0	3	3	main.e
	10	17	7	main.a
	20	11	-9	main.b
	0	0	0	main.main
	EOT
	sort -t "	" -k4 expect >e && sort -t "	" -k4 got >g &&
	test_cmp e g &&
	grep -E "^##(scale_b|total_b)	" actual >got &&
	printf "##scale_b\t0.55555555555555558\n##total_b\t35\n" >expect &&
	test_cmp expect got
'

test_expect_success 'pprof-top tables give the same numbers as streams' '
	pprof-top --nodefraction 0 a >a.top &&
	pprof-top --nodefraction 0 b >b.top &&
	pprof-diff a b >expect.raw && grep -v "^##[ab]	" expect.raw >expect &&
	pprof-diff a.top b.top >actual.raw && grep -v "^##[ab]	" actual.raw >actual &&
	test_cmp expect actual &&
	pprof-diff a.top b >actual.raw && grep -v "^##[ab]	" actual.raw >actual &&
	test_cmp expect actual
'

test_expect_success 'one side can be standard input' '
	pprof-diff - b <a >actual.raw && sed 1,4d actual.raw >actual &&
	pprof-diff a b >expect.raw && sed 1,4d expect.raw >expect &&
	test_cmp expect actual &&
	pprof-diff a - <b >actual.raw && sed -n 3p actual.raw >actual &&
	printf "##a\ta\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a stream of several profiles is their merge' '
	cat a a >aa &&
	pprof-diff aa b >actual &&
	grep -E "^##total_a	|	main.a\$" actual >got &&
	printf "##total_a\t70\n20\t30\t10\t50.00\t20\t30\t10\t50.00\tmain.a\n" >expect &&
	test_cmp expect got
'

test_expect_success 'the type is -t, else B'"'"'s default' '
	printf "##profile\th\n##time\t1\t-\n##default_type\tinuse\n#alloc/bytes\tinuse/bytes\tsite\tlabels\tstack\n5\t1\tx\t\tmain.f\n" >h1 &&
	printf "##profile\th\n##time\t1\t-\n##default_type\tinuse\n#alloc/bytes\tinuse/bytes\tsite\tlabels\tstack\n9\t4\tx\t\tmain.f\n" >h2 &&
	pprof-diff h1 h2 >actual.raw && grep -v "^##[ab]	" actual.raw >actual &&
	cat >expect <<-\EOT &&
	##type	inuse
	##unit	bytes
	##scale_b	1
	##total_a	1
	##total_b	4
	##total_delta	3
	##total_delta%	300.00
	#flat_a	flat_b	flat_delta	flat_delta%	cum_a	cum_b	cum_delta	cum_delta%	function
	1	4	3	300.00	1	4	3	300.00	main.f
	EOT
	test_cmp expect actual &&
	pprof-diff -t alloc h1 h2 >actual.raw && grep -v "^#" actual.raw >actual &&
	printf "5\t9\t4\t80.00\t5\t9\t4\t80.00\tmain.f\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'profiles of different types or units are not compared' '
	stream c.pprof cpu/nanoseconds >c <<-\EOT &&
	10 s1 main.main
	EOT
	test_expect_code 1 pprof-diff a c >out 2>err &&
	echo "pprof-diff: a: no sample type cpu (the profile has: space)" >expect &&
	test_cmp expect err &&
	test_must_be_empty out &&
	stream k.pprof space/kilobytes >k <<-\EOT &&
	10 s1 main.main
	EOT
	test_expect_code 1 pprof-diff a k >out 2>err &&
	echo "pprof-diff: a is in bytes, k in kilobytes: not comparable" >expect &&
	test_cmp expect err &&
	test_expect_code 1 pprof-diff -t space a.top c >out 2>err &&
	echo "pprof-diff: c: no sample type space (the profile has: cpu)" >expect &&
	test_cmp expect err &&
	test_expect_code 1 pprof-diff -t cpu a.top b >out 2>err &&
	echo "pprof-diff: b: no sample type cpu (the profile has: space)" >expect &&
	test_cmp expect err &&
	pprof-top c >c.top &&
	test_expect_code 1 pprof-diff a.top c.top >out 2>err &&
	echo "pprof-diff: a.top is of space, c.top of cpu: not comparable" >expect &&
	test_cmp expect err
'

test_expect_success 'neither a stream nor a table, a broken table, an empty file' '
	printf "flat\tcum\n" >junk &&
	test_expect_code 1 pprof-diff junk b >out 2>err &&
	echo "pprof-diff: junk:1: not a sample stream (expected a ##profile line; is this pprof-decode output?)" >expect &&
	test_cmp expect err &&
	test_must_be_empty out &&
	sed "s/^#flat.*/#what/" a.top >badhdr &&
	test_expect_code 1 pprof-diff badhdr b 2>err &&
	echo "pprof-diff: badhdr:5: not a pprof-top table header" >expect &&
	test_cmp expect err &&
	sed "6s/^[0-9]*/x/" a.top >badrow &&
	test_expect_code 1 pprof-diff badrow b 2>err &&
	echo "pprof-diff: badrow:6: flat or cum is not an integer" >expect &&
	test_cmp expect err &&
	grep -v "^##total" a.top >nototal &&
	test_expect_code 1 pprof-diff nototal b 2>err &&
	echo "pprof-diff: nototal: a pprof-top table needs ##type, ##unit, ##total and a column header" >expect &&
	test_cmp expect err &&
	: >empty &&
	test_expect_code 1 pprof-diff empty b 2>err &&
	echo "pprof-diff: empty: empty stream: no profile blocks" >expect &&
	test_cmp expect err &&
	test_expect_code 1 pprof-diff nosuch b 2>err &&
	echo "pprof-diff: nosuch: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 pprof-diff a 2>err &&
	grep "^usage: pprof-diff" err &&
	test_expect_code 2 pprof-diff a b c 2>err &&
	grep "^usage: pprof-diff" err &&
	test_expect_code 2 pprof-diff - - 2>err &&
	echo "pprof-diff: only one of a and b can be standard input" >expect &&
	test_cmp expect err &&
	test_expect_code 2 pprof-diff --sort size a b 2>err &&
	echo "pprof-diff: --sort: expected flat or cum, not size" >expect &&
	test_cmp expect err &&
	pprof-diff --help >out &&
	grep "^usage: pprof-diff" out &&
	pprof-diff --version >out &&
	grep "^pprof-diff [0-9]" out
'

test_expect_success 'values whose sum overflows 64 bits are refused, not wrapped' '
	printf "##profile\tx\n#cpu/nanoseconds\tsite\tlabels\tstack\n9223372036854775807\t0\t\ta\n9223372036854775807\t0\t\ta\n" >huge &&
	test_expect_code 1 pprof-diff huge huge >out 2>err &&
	echo "pprof-diff: huge, huge: values overflow a 64-bit sum" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_done
