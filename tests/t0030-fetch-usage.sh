#!/bin/sh
test_description='pprof-fetch: bad usage is one line on stderr and exit 2, before any fetch'
. "$(dirname "$0")/lib.sh"

# With Go, the URLs point at a live faultsrv whose request log proves at
# the end that nothing was fetched; without it, at a closed port.
pids=
stop_servers() {
	# shellcheck disable=SC2086
	[ -z "$pids" ] || { kill $pids 2>/dev/null; wait 2>/dev/null; }
}
trap stop_servers EXIT

test_setup 'a peer that logs every request' '
	if test_have_prereq GO; then
		"$GOBIN/faultsrv" -addr 127.0.0.1:0 -addr-file fault.url \
			>/dev/null 2>fault.log &
		pids=$!
		i=0
		until [ -s fault.url ] || [ $i -gt 100 ]; do
			i=$((i + 1))
			sleep 0.1
		done
		F=$(cat fault.url)
	else
		F=http://127.0.0.1:9
		: >fault.log
	fi &&
	mkdir out
'

# check_usage MESSAGE ARGS...: exit 2, stderr exactly "pprof-fetch: MESSAGE",
# nothing on stdout, nothing written in out/.
check_usage() {
	want=$1
	shift
	test_expect_code 2 pprof-fetch "$@" >stdout 2>stderr &&
	echo "pprof-fetch: $want" >expect &&
	test_cmp expect stderr &&
	test_must_be_empty stdout &&
	test -z "$(ls -A out)"
}

test_expect_success 'an unknown option' '
	test_expect_code 2 pprof-fetch --bogus -o out/p.pprof "$F/good" >stdout 2>stderr &&
	test_must_be_empty stdout &&
	grep "unrecognized option" stderr &&
	tail -n 1 stderr >actual &&
	echo "usage: pprof-fetch [options] (-o file url | --targets file)" >expect &&
	test_cmp expect actual
'

test_expect_success 'no arguments at all' '
	check_usage "no URL and no --targets given"
'

test_expect_success 'a missing URL' '
	check_usage "-o needs a URL" -o out/p.pprof
'

test_expect_success 'a URL without -o' '
	check_usage "no -o file given for $F/good" "$F/good"
'

test_expect_success 'two URLs for one -o' '
	check_usage "one URL with -o, not 2" -o out/p.pprof "$F/good" "$F/good"
'

test_expect_success 'only http and https' '
	check_usage "ftp://127.0.0.1/heap: only http and https URLs are fetched" \
		-o out/p.pprof ftp://127.0.0.1/heap &&
	check_usage "file:///etc/passwd: only http and https URLs are fetched" \
		-o out/p.pprof file:///etc/passwd &&
	check_usage "127.0.0.1:6060/heap: not a URL" -o out/p.pprof 127.0.0.1:6060/heap
'

test_expect_success 'an output directory that does not exist' '
	check_usage "nosuch: No such file or directory" -o nosuch/p.pprof "$F/good"
'

test_expect_success 'an output directory that cannot be written' '
	mkdir ro && chmod 555 ro &&
	if ( : >ro/probe ) 2>/dev/null; then
		# root writes where the mode allows nobody to: take a
		# directory the kernel refuses new files in instead.
		rm -f ro/probe && rodir=/sys
	else
		rodir=ro
	fi &&
	check_usage "$rodir: Permission denied" -o "$rodir/p.pprof" "$F/good" &&
	printf "a\t%s\t%s\n" "$F/good" "$rodir/p%d.pprof" >t.tsv &&
	check_usage "t.tsv:1: $rodir: Permission denied" --every 1 --targets t.tsv
'

test_expect_success 'an output that is a directory' '
	check_usage "out: Is a directory" -o out "$F/good" &&
	check_usage "out/: Is a directory" -o out/ "$F/good"
'

test_expect_success 'a pattern without %d under --every' '
	check_usage "out/heap.pprof: the output pattern needs exactly one %d for the sequence number" \
		--every 1 -o out/heap.pprof "$F/good"
'

test_expect_success 'a pattern with two %d' '
	check_usage "out/heap%d-%d.pprof: the output pattern needs exactly one %d for the sequence number" \
		--every 1 -o "out/heap%d-%d.pprof" "$F/good"
'

test_expect_success 'a pattern with another directive' '
	check_usage "out/heap%s.pprof: unknown directive %s (only %d and %% are known)" \
		--every 1 -o "out/heap%s.pprof" "$F/good" &&
	check_usage "out/heap%d%: unknown directive % (only %d and %% are known)" \
		--every 1 -o "out/heap%d%" "$F/good"
'

test_expect_success 'a %d in a directory' '
	check_usage "run%d/heap%d.pprof: %d must be in the file name, not in a directory" \
		--every 1 -o "run%d/heap%d.pprof" "$F/good"
'

test_expect_success 'a pattern without %d in a target file' '
	printf "oc\t%s\tout/heap.pprof\n" "$F/good" >t.tsv &&
	check_usage "t.tsv:1: out/heap.pprof: the output pattern needs exactly one %d for the sequence number" \
		--targets t.tsv
'

test_expect_success 'options that need --every' '
	check_usage "--count needs --every" --count 3 -o out/p.pprof "$F/good" &&
	check_usage "--max-failures needs --every" --max-failures 3 -o out/p.pprof "$F/good"
'

test_expect_success '--targets with -o or a URL' '
	printf "oc\t%s\tout/heap%%d.pprof\n" "$F/good" >t.tsv &&
	check_usage "--targets takes no -o and no URL" --targets t.tsv -o out/p.pprof &&
	check_usage "--targets takes no -o and no URL" --targets t.tsv "$F/good"
'

test_expect_success 'bad numbers' '
	check_usage "--every: not a number of seconds: soon" --every soon -o "out/h%d" "$F/good" &&
	check_usage "--every: must be at least 0.01 seconds: 0.001" --every 0.001 -o "out/h%d" "$F/good" &&
	check_usage "--every: not a number of seconds: -1" --every -1 -o "out/h%d" "$F/good" &&
	check_usage "--timeout: not a number of seconds: 1s" --timeout 1s -o out/p "$F/good" &&
	check_usage "--timeout: must be at least 0.001 seconds: 0" --timeout 0 -o out/p "$F/good" &&
	check_usage "--connect-timeout: not a number of seconds: x" --connect-timeout x -o out/p "$F/good" &&
	check_usage "--count: not a whole number from 1 to 9223372036854775807: 0" \
		--every 1 --count 0 -o "out/h%d" "$F/good" &&
	check_usage "--max-failures: not a whole number from 0 to 9223372036854775807: many" \
		--every 1 --max-failures many -o "out/h%d" "$F/good" &&
	check_usage "--retries: not a whole number from 0 to 100: 101" --retries 101 -o out/p "$F/good" &&
	check_usage "--max-size: not a byte count: lots" --max-size lots -o out/p "$F/good" &&
	check_usage "--max-size: not a byte count: 0" --max-size 0 -o out/p "$F/good"
'

test_expect_success 'a target file that does not exist' '
	check_usage "nosuch.tsv: No such file or directory" --targets nosuch.tsv
'

test_expect_success 'a target file with the wrong number of fields' '
	printf "# name\turl\tpattern\n\noc\t%s\n" "$F/good" >t.tsv &&
	check_usage "t.tsv:3: expected 3 to 5 fields (name, URL, pattern[, kind[, every]]), got 2" --targets t.tsv &&
	printf "oc\t%s\tout/h%%d\theap\t1\textra\n" "$F/good" >t.tsv &&
	check_usage "t.tsv:1: expected 3 to 5 fields (name, URL, pattern[, kind[, every]]), got 6" --targets t.tsv
'

test_expect_success 'a target file with an empty field' '
	printf "\t%s\tout/h%%d\n" "$F/good" >t.tsv &&
	check_usage "t.tsv:1: empty name" --targets t.tsv &&
	printf "oc\t%s\tout/h%%d\t\n" "$F/good" >t.tsv &&
	check_usage "t.tsv:1: empty kind" --targets t.tsv
'

test_expect_success 'a target file from stdin is named stdin' '
	printf "oc\tgopher://x/\tout/h%%d\n" | check_usage "stdin:1: gopher://x/: only http and https URLs are fetched" --targets -
'

test_expect_success 'an empty target file' '
	printf "# nothing\n" >t.tsv &&
	check_usage "t.tsv: no targets" --targets t.tsv
'

test_expect_success 'a target given twice' '
	printf "oc\t%s\tout/a%%d\noc\t%s\tout/b%%d\n" "$F/good" "$F/good" >t.tsv &&
	check_usage "t.tsv:2: target oc good given twice (also at t.tsv:1)" --targets t.tsv &&
	printf "oc\t%s\tout/a%%d\nod\t%s\tout/a%%d\n" "$F/good" "$F/good" >t.tsv &&
	check_usage "t.tsv:2: output out/a%d given twice (also at t.tsv:1)" --targets t.tsv
'

test_expect_success 'a bad line after good ones: still nothing is fetched' '
	printf "oc\t%s\tout/a%%d\nod\t%s\tnosuch/a%%d\n" "$F/good" "$F/good" >t.tsv &&
	check_usage "t.tsv:2: nosuch: No such file or directory" --every 1 --targets t.tsv
'

test_expect_success 'none of the above reached the server' '
	if grep "GET" fault.log; then
		echo "requests were made"
		false
	fi
'

test_expect_success '--help and --version go to stdout, exit 0' '
	pprof-fetch --help >out.txt &&
	head -n 1 out.txt >actual &&
	echo "usage: pprof-fetch [options] -o file url" >expect &&
	test_cmp expect actual &&
	pprof-fetch --version >actual &&
	echo "pprof-fetch 0.1.0" >expect &&
	test_cmp expect actual
'

test_done
