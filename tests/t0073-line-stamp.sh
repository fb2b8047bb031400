#!/bin/sh
test_description='line-stamp: each line with the time it arrived, live, long lines cut, a reader gone'
. "$(dirname "$0")/lib.sh"

TAB=$(printf '\t')

# wait_line FILE PATTERN: until a line of FILE matches (at most 20 s).
wait_line() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le 200 ] || { echo "no \"$2\" in $1"; return 1; }
		sleep 0.1
	done
}

test_expect_success 'the text as it came, a stamp in ns between the clock before and after' '
	before=$(date +%s%N) &&
	printf "a\n${TAB}b c\r\n\nno newline" >in &&
	line-stamp <in >out 2>err &&
	after=$(date +%s%N) &&
	test_must_be_empty err &&
	cut -f2- out >actual &&
	printf "a\n${TAB}b c\r\n\nno newline\n" >expect &&
	test_cmp expect actual &&
	cut -f1 out >stamps &&
	test "$(wc -l <stamps)" = 4 &&
	awk -v lo="$before" -v hi="$after" "
	    !/^[0-9]+\$/ || \$1 < lo || \$1 > hi || \$1 < last { print \"bad stamp \" \$0 \" (\" lo \"..\" hi \")\"; bad = 1 }
	    { last = \$1 } END { exit bad }" stamps
'

test_expect_success 'a line written in two parts has the time of its first part' '
	{ printf "wait "; sleep 1; printf "done\n"; printf "next\n"; } | line-stamp >out &&
	cut -f2 out >actual &&
	printf "wait done\nnext\n" >expect &&
	test_cmp expect actual &&
	a=$(sed -n 1p out | cut -f1) && b=$(sed -n 2p out | cut -f1) &&
	test "$a" -lt "$b"
'

test_expect_success 'live: a line is out before the input ends' '
	mkfifo fifo || exit 1
	line-stamp <fifo >live &
	pid=$! &&
	exec 9>fifo &&
	echo "first" >&9 &&
	wait_line live "^[0-9]*${TAB}first\$" &&
	echo "second" >&9 &&
	exec 9>&- &&
	wait $pid &&
	cut -f2 live >actual &&
	printf "first\nsecond\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a line longer than 1 MiB is cut into stamped pieces' '
	awk "BEGIN { s = \"0123456789abcdef\"; while (length(s) < 1048576) s = s s; printf \"%s0123456789\n\", s }" >long &&
	line-stamp <long >out &&
	test "$(wc -l <out)" = 2 &&
	sed -n 1p out | cut -f2 | wc -c >actual &&
	echo 1048577 >expect &&
	test_cmp expect actual &&
	sed -n 2p out | cut -f2 >actual &&
	echo 0123456789 >expect &&
	test_cmp expect actual
'

test_expect_success 'the reader gone: said once, the input read to its end, the writer not killed' '
	{ echo first; sleep 1; seq 1 200000; echo "$?" >writer.rc; } |
	    { line-stamp 2>err; echo "$?" >stamp.rc; } | head -n 1 >out &&
	echo 0 >expect &&
	test_cmp expect writer.rc &&
	echo 1 >expect &&
	test_cmp expect stamp.rc &&
	echo "line-stamp: stdout: Broken pipe; reading on, dropping the lines" >expect &&
	test_cmp expect err
'

test_expect_success 'usage: no operands' '
	test_expect_code 2 line-stamp file >out 2>err &&
	echo "usage: line-stamp" >expect &&
	test_cmp expect err &&
	line-stamp --help >out &&
	test_cmp expect out
'

test_done
