#!/bin/sh
test_description='pprof-fetch: every way an endpoint fails gets its documented log line, and no file'
. "$(dirname "$0")/lib.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'

# The directory must hold nothing, not even a dot file.
test_dir_empty() {
	if [ -n "$(ls -A "$1")" ]; then
		echo "$1 is not empty:"
		ls -lA "$1"
		return 1
	fi
}

# fields LOG: kind|seq|outcome|status|file_or_error of each attempt line.
fields() {
	grep -v '^#' "$1" | cut -f3-6,9 | tr '\t' '|'
}

# check_fault NAME PATH EXPECTED [OPTIONS]: one fetch of $F/PATH fails
# (exit 1, the reason on stderr too, after the URL) with the line EXPECTED
# (see fields), a summary with one error, and leaves NAME/ empty.
check_fault() {
	name=$1 path=$2 want=$3
	shift 3
	mkdir "$name" &&
	test_expect_code 1 pprof-fetch --retries 0 "$@" -o "$name/p.pprof" \
		"$F/$path" >"$name.log" 2>err &&
	printf 'pprof-fetch: %s: %s\n' "$F/$path" "${want##*|}" >expect &&
	test_cmp expect err &&
	printf '%s\n' "$want" >expect &&
	fields "$name.log" >actual &&
	test_cmp expect actual &&
	grep '^##summary' "$name.log" | cut -f1,4- >actual &&
	printf '##summary\t0\t1\t0\t0\t0\tcount\n' >expect &&
	test_cmp expect actual &&
	test_dir_empty "$name"
}

test_setup 'start faultsrv' '
	start_server F faultsrv &&
	start_server GONE faultsrv &&
	kill "$GONE_pid" &&
	wait "$GONE_pid"
'

test_expect_success 'a good profile is written, and the line says so' '
	mkdir good &&
	pprof-fetch -o good/heap.pprof "$F/good" >log 2>err &&
	test_must_be_empty err &&
	printf "#time\ttarget\tkind\tseq\toutcome\tstatus\tbytes\tms\tfile_or_error\n" >expect &&
	head -n 1 log >actual &&
	test_cmp expect actual &&
	size=$(wc -c <good/heap.pprof) &&
	sed -n 2p log | cut -f2- >actual &&
	printf "%s\tgood\t0\tok\t200\t%s\t" "${F#http://}" "$size" >prefix &&
	grep -F -f prefix actual &&
	sed -n 2p log | cut -f9 >actual &&
	echo good/heap.pprof >expect &&
	test_cmp expect actual &&
	sed -n 2p log | grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z	" &&
	sed -n 2p log | cut -f8 | grep -E "^[0-9]+$" &&
	test "$(wc -l <log)" = 3 &&
	tail -n 1 log >actual &&
	printf "##summary\t%s\tgood\t1\t0\t0\t0\t0\tcount\n" "${F#http://}" >expect &&
	test_cmp expect actual &&
	ls -A good >actual && echo heap.pprof >expect && test_cmp expect actual
'

test_expect_success 'the file is the profile, decodable, with the umask applied' '
	pprof-decode good/heap.pprof >stream &&
	grep -q "main\.allocateFixture" stream &&
	(umask 027 && pprof-fetch -o good/mode.pprof "$F/good" >/dev/null) &&
	ls -l good/mode.pprof | cut -c1-10 >actual &&
	echo "-rw-r-----" >expect &&
	test_cmp expect actual
'

test_expect_success 'HTTP 500: the status and the first line of the body' '
	check_fault s500 status/500 "500|0|error|500|HTTP 500: 500 Internal Server Error"
'

test_expect_success 'HTTP 404' '
	check_fault s404 status/404 "404|0|error|404|HTTP 404: 404 Not Found"
'

test_expect_success 'an HTML page with status 200' '
	check_fault html html "html|0|error|200|not a profile: looks like an HTML or XML document"
'

test_expect_success 'an empty body' '
	check_fault empty empty "empty|0|error|200|empty body"
'

test_expect_success 'random bytes with status 200' '
	check_fault garbage garbage "garbage|0|error|200|not a profile: neither gzip nor a pprof protobuf"
'

test_expect_success 'a body cut short by the server closing the connection' '
	size=$(wc -c <good/heap.pprof) &&
	check_fault truncated truncated \
		"truncated|0|error|200|truncated body: $((size / 2)) of $size bytes"
'

test_expect_success 'a connection reset in the middle of the body' '
	check_fault reset reset "reset|0|error|200|connection broken: Connection reset by peer"
'

test_expect_success 'connection refused' '
	mkdir refused &&
	test_expect_code 1 pprof-fetch --retries 0 -o refused/p.pprof \
		"$GONE/debug/pprof/heap" >refused.log 2>err &&
	echo "pprof-fetch: $GONE/debug/pprof/heap: cannot connect: Connection refused" >expect &&
	test_cmp expect err &&
	echo "heap|0|error|0|cannot connect: Connection refused" >expect &&
	fields refused.log >actual &&
	test_cmp expect actual &&
	test_dir_empty refused
'

test_expect_success 'a body that stalls forever: the timeout, counted from the start' '
	check_fault stall stall "stall|0|error|200|timed out after 1000 ms" --timeout 1 &&
	ms=$(grep -v "^#" stall.log | cut -f7,8) &&
	test "${ms%%	*}" = 100 &&
	test "${ms##*	}" -ge 1000 && test "${ms##*	}" -lt 1900
'

test_expect_success 'no answer at all' '
	check_fault noanswer stall-headers "stall-headers|0|error|0|timed out after 1000 ms" --timeout 1
'

test_expect_success 'a slow start beyond the timeout fails' '
	check_fault slow "slow?ms=2000" "slow|0|error|0|timed out after 1000 ms" --timeout 1
'

test_expect_success 'a slow start within the timeout is fine' '
	mkdir slowok &&
	pprof-fetch --timeout 5 -o slowok/p.pprof "$F/slow?ms=1200" >log &&
	echo "slow|0|ok|200|slowok/p.pprof" >expect &&
	fields log >actual &&
	test_cmp expect actual &&
	test "$(grep -v "^#" log | cut -f8)" -ge 1200 &&
	cmp good/heap.pprof slowok/p.pprof
'

test_expect_success 'a body over --max-size' '
	check_fault big "big?mb=2" "big|0|error|200|body exceeds 1048576 bytes (see --max-size)" \
		--max-size 1M
'

test_expect_success 'a redirect to the same host is followed' '
	mkdir redir &&
	pprof-fetch -o redir/p.pprof "$F/redirect?to=/good" >log &&
	echo "redirect|0|ok|200|redir/p.pprof" >expect &&
	fields log >actual &&
	test_cmp expect actual &&
	cmp good/heap.pprof redir/p.pprof
'

test_expect_success 'a redirect to another host is refused (localhost is not 127.0.0.1)' '
	other="http://localhost:${F##*:}/good" &&
	check_fault redir-host "redirect?to=$other" \
		"redirect|0|error|302|redirect to another host refused: $other"
'

test_expect_success 'a redirect to another protocol is refused' '
	check_fault redir-proto "redirect?to=file:///etc/passwd" \
		"redirect|0|error|302|redirect to another protocol refused: file:///etc/passwd"
'

test_expect_success 'a redirect loop stops after 3 redirects' '
	check_fault loop redirect-loop "redirect-loop|0|error|302|too many redirects (more than 3)" &&
	test "$(grep -c "GET /redirect-loop " F.log)" = 4
'

test_expect_success 'a failed fetch leaves the previous file alone' '
	mkdir keep &&
	echo old >keep/p.pprof &&
	test_expect_code 1 pprof-fetch --retries 0 -o keep/p.pprof "$F/truncated" >log &&
	echo old >expect &&
	test_cmp expect keep/p.pprof &&
	ls -A keep >actual && echo p.pprof >expect && test_cmp expect actual
'

test_expect_success 'transient failures are retried, each attempt a line' '
	mkdir flaky &&
	pprof-fetch -o flaky/p.pprof "$F/flaky?fail=2&key=retry" >log &&
	fields log >actual &&
	cat >expect <<-EOF &&
	flaky|0|retry|503|HTTP 503: 503 Service Unavailable (request 1 of 2 failing for key "retry")
	flaky|0|retry|503|HTTP 503: 503 Service Unavailable (request 2 of 2 failing for key "retry")
	flaky|0|ok|200|flaky/p.pprof
	EOF
	test_cmp expect actual &&
	tail -n 1 log | cut -f4- >actual &&
	printf "1\t0\t0\t0\t2\tcount\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the retries back off: 0.25 s, then 0.5 s' '
	grep -v "^#" log | cut -f1 >times &&
	while read -r t; do date -u -d "$t" +%s%3N; done <times >ms &&
	awk "NR > 1 { print \$1 - prev } { prev = \$1 }" ms >gaps &&
	read -r g1 <gaps && g2=$(sed -n 2p gaps) &&
	test "$g1" -ge 250 && test "$g1" -lt 450 &&
	test "$g2" -ge 500 && test "$g2" -lt 700
'

test_expect_success 'retries run out: the last attempt is the error' '
	mkdir flaky2 &&
	test_expect_code 1 pprof-fetch --retries 1 -o flaky2/p.pprof \
		"$F/flaky?fail=5&key=out" >log &&
	grep -v "^#" log | cut -f5 >actual &&
	printf "retry\nerror\n" >expect &&
	test_cmp expect actual &&
	test_dir_empty flaky2
'

test_expect_success 'a 404 is not retried' '
	mkdir s404b &&
	test_expect_code 1 pprof-fetch -o s404b/p.pprof "$F/status/404" >log &&
	grep -v "^#" log | cut -f5 >actual &&
	echo error >expect &&
	test_cmp expect actual
'

test_expect_success 'a file name never breaks the line: tabs and newlines are escaped' '
	mkdir esc &&
	name=$(printf "esc/a\tb\nc\\\\.pprof") &&
	pprof-fetch -o "$name" "$F/good" >log &&
	test -f "$name" &&
	test "$(wc -l <log)" = 3 &&
	grep -v "^#" log | cut -f9 >actual &&
	printf "%s\n" "esc/a\\tb\\nc\\\\.pprof" >expect &&
	test_cmp expect actual
'

test_done
