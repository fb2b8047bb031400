#!/bin/sh
test_description='pprof-fetch: never over a device or FIFO, never over a profile, the reason of a one-shot failure on stderr, no password shown, CRLF targets'
. "$(dirname "$0")/lib.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'

test_setup 'a misbehaving server' '
	start_server F faultsrv &&
	mkdir out
'

# refused FILE: exit 2, stderr exactly "pprof-fetch: FILE: not a regular
# file", nothing fetched, nothing on stdout.
refused() {
	test_expect_code 2 pprof-fetch -o "$1" "$F/good" >stdout 2>stderr &&
	echo "pprof-fetch: $1: not a regular file" >expect &&
	test_cmp expect stderr &&
	test_must_be_empty stdout
}

test_expect_success '-o /dev/null, a FIFO, a symlink to either: refused, left as they are' '
	refused /dev/null &&
	test -c /dev/null &&
	mkfifo out/fifo &&
	refused out/fifo &&
	test -p out/fifo &&
	ln -s /dev/null out/null-link &&
	refused out/null-link &&
	ln -s fifo out/fifo-link &&
	refused out/fifo-link &&
	test -L out/fifo-link && test -p out/fifo &&
	! grep -q " /good " F.log
'

if [ "$(id -u)" = 0 ]; then
	test_expect_success 'a character device made here (root): refused, still a device' '
		mknod out/zero c 1 5 &&
		refused out/zero &&
		test -c out/zero &&
		rm out/zero
	'
else
	test_skip 'a character device made here' 'needs root (mknod)'
fi

test_expect_success 'a device as a --targets pattern: refused before any fetch' '
	printf "a\t$F/good\tout/fifo%%d\n" >targets.tsv &&
	mkfifo out/fifo0 &&
	test_expect_code 2 pprof-fetch --targets targets.tsv >stdout 2>stderr &&
	echo "pprof-fetch: targets.tsv:1: out/fifo0: not a regular file" >expect &&
	test_cmp expect stderr &&
	rm out/fifo0
'

test_expect_success '-o "": a usage error' '
	test_expect_code 2 pprof-fetch -o "" "$F/good" >stdout 2>stderr &&
	echo "pprof-fetch: -o: empty file name" >expect &&
	test_cmp expect stderr &&
	test_must_be_empty stdout
'

test_expect_success 'a regular file is still replaced, atomically (a new inode)' '
	echo old >out/p.pprof &&
	ln out/p.pprof out/p.keep &&
	pprof-fetch -o out/p.pprof "$F/good" >log &&
	echo old >expect &&
	test_cmp expect out/p.keep &&
	pprof-decode out/p.pprof >/dev/null &&
	test "$(ls -A out | sort | tr "\n" " ")" = "fifo fifo-link null-link p.keep p.pprof "
'

test_expect_success '--no-clobber: an existing file is kept, the reason logged and said' '
	echo mine >out/mine.pprof &&
	test_expect_code 1 pprof-fetch --no-clobber -o out/mine.pprof "$F/good" >log 2>stderr &&
	echo "pprof-fetch: $F/good: out/mine.pprof: exists, not overwritten" >expect &&
	test_cmp expect stderr &&
	awk -F"\t" "!/^#/ { print \$5 \"|\" \$9 }" log >actual &&
	echo "error|out/mine.pprof: exists, not overwritten" >expect &&
	test_cmp expect actual &&
	echo mine >expect &&
	test_cmp expect out/mine.pprof &&
	test -z "$(ls -A out | grep "^\.")"
'

test_expect_success '--no-clobber onto a new name: the profile' '
	pprof-fetch --no-clobber -o out/new.pprof "$F/good" >log &&
	pprof-decode out/new.pprof >/dev/null
'

test_expect_success 'a schedule never overwrites a profile: that slot fails, the next is written' '
	mkdir sched &&
	echo earlier >sched/heap1.pprof &&
	pprof-fetch --every 0.2 --count 3 -o "sched/heap%d.pprof" "$F/good" >log &&
	awk -F"\t" "!/^#/ { print \$4 \"|\" \$5 \"|\" \$9 }" log >actual &&
	printf "%s\n" "0|ok|sched/heap0.pprof" "1|error|sched/heap1.pprof: exists, not overwritten" \
	    "2|ok|sched/heap2.pprof" >expect &&
	test_cmp expect actual &&
	echo earlier >expect &&
	test_cmp expect sched/heap1.pprof
'

test_expect_success 'a one-shot failure says why on stderr too; the log row stays on stdout' '
	test_expect_code 1 pprof-fetch --retries 0 -o out/e.pprof "$F/status/500" >log 2>stderr &&
	echo "pprof-fetch: $F/status/500: HTTP 500: 500 Internal Server Error" >expect &&
	test_cmp expect stderr &&
	awk -F"\t" "!/^#/ { print \$5 \"|\" \$9 }" log >actual &&
	echo "error|HTTP 500: 500 Internal Server Error" >expect &&
	test_cmp expect actual &&
	test ! -e out/e.pprof
'

test_expect_success 'a schedule keeps its failures in the log (stderr stays quiet)' '
	pprof-fetch --every 0.1 --count 2 --retries 0 -o "out/s%d.pprof" "$F/status/404" >log 2>stderr &&
	test_must_be_empty stderr &&
	test "$(grep -c "	error	404	" log)" = 2
'

test_expect_success 'a password in the URL is used, and shown nowhere' '
	url=$(printf "%s\n" "$F" | sed "s|://|://user:s3cret@|") &&
	test_expect_code 1 pprof-fetch --retries 0 -o out/c.pprof "$url/status/503" >log 2>stderr &&
	echo "pprof-fetch: $(printf "%s\n" "$F" | sed "s|://|://user:***@|")/status/503: HTTP 503: 503 Service Unavailable" >expect &&
	test_cmp expect stderr &&
	! grep -q s3cret log stderr &&
	pprof-fetch -o out/c.pprof "$url/good" >log 2>stderr &&
	test_must_be_empty stderr &&
	! grep -q s3cret log
'

# The log's rows come in the order the fetches ended: sorted here.
test_expect_success 'a targets file with CRLF line ends: no file name ends in CR' '
	mkdir crlf &&
	printf "a\t$F/good\tcrlf/heap%%d.pprof\r\nb\t$F/good?x=1\tcrlf/other%%d.pprof\theap\r\n" >crlf.tsv &&
	pprof-fetch --targets crlf.tsv >log &&
	ls crlf >actual &&
	printf "heap0.pprof\nother0.pprof\n" >expect &&
	test_cmp expect actual &&
	awk -F"\t" "!/^#/ { print \$2 \"|\" \$3 \"|\" \$5 }" log | sort >actual &&
	printf "a|good|ok\nb|heap|ok\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'file:// and ftp:// are refused, not fetched' '
	test_expect_code 2 pprof-fetch -o out/f.pprof file:///etc/passwd 2>stderr &&
	echo "pprof-fetch: file:///etc/passwd: only http and https URLs are fetched" >expect &&
	test_cmp expect stderr &&
	test_expect_code 2 pprof-fetch -o out/f.pprof ftp://127.0.0.1/x 2>stderr &&
	echo "pprof-fetch: ftp://127.0.0.1/x: only http and https URLs are fetched" >expect &&
	test_cmp expect stderr
'

test_done
