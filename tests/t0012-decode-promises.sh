#!/bin/sh
test_description='pprof-decode: a sample without a stack is folded under one placeholder frame; a gzip that holds no profile is told as such'
. "$(dirname "$0")/lib.sh"

# Three samples: 5 at main.main;main.work, 2 at main.main, 4 with no stack
# at all (as in Go's goroutine profiles).
profile_spec() {
	cat <<-\EOT
	1 {
	  1 varint 1
	  2 varint 2
	}
	2 {
	  1 packed 2 1
	  2 packed 5
	}
	2 {
	  1 packed 1
	  2 packed 2
	}
	2 {
	  2 packed 4
	}
	4 {
	  1 varint 1
	  4 {
	    1 varint 1
	  }
	}
	4 {
	  1 varint 2
	  4 {
	    1 varint 2
	  }
	}
	5 {
	  1 varint 1
	  2 varint 3
	}
	5 {
	  1 varint 2
	  2 varint 4
	}
	6 string
	6 string goroutine
	6 string count
	6 string main.main
	6 string main.work
	EOT
}

test_setup 'the fixture' '
	profile_spec | pbwrite >g.pb
'

test_expect_success '--folded: the empty stack is "<empty stack>", and the totals are the profile'"'"'s' '
	pprof-decode --folded g.pb >actual &&
	cat >expect <<-\EOT &&
	<empty stack> 4
	main.main 2
	main.main;main.work 5
	EOT
	test_cmp expect actual &&
	pprof-decode g.pb >stream &&
	awk -F"\t" "!/^#/ { s += \$1 } END { print s }" stream >expect &&
	awk "{ s += \$NF } END { print s }" actual >actual.sum &&
	test_cmp expect actual.sum
'

test_expect_success 'the stream keeps the empty stack empty (pprof-top reads it so)' '
	grep -v "^#" stream | cut -f1,4 >actual &&
	printf "5\tmain.main;main.work\n2\tmain.main\n4\t\n" >expect &&
	test_cmp expect actual
'

# check_bad FILE REASON: exit 1, stderr "pprof-decode: FILE: REASON", no output.
check_bad() {
	test_expect_code 1 pprof-decode "$1" >out 2>err &&
	echo "pprof-decode: $1: $2" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
}

test_expect_success 'a gzip of bytes that are no profile' '
	printf "\377\377\377\377\377\377\377\377" | gzip -n >junk.gz &&
	check_bad junk.gz "not a profile: a gzip stream whose content is not a pprof protobuf"
'

test_expect_success 'a gzip of text, of an HTML page' '
	printf "heap profile: 1: 2 [3: 4] @ heap/1048576\n" | gzip -n >text.gz &&
	check_bad text.gz "not a profile: a gzip stream whose content starts with text \"heap profile: 1: 2 [3: 4] @ heap\"" &&
	printf "<html><body>503</body></html>\n" | gzip -n >page.gz &&
	check_bad page.gz "not a profile: a gzip stream whose content looks like an HTML or XML document"
'

test_expect_success 'raw bytes keep the message of before' '
	printf "\377\377\377\377\377\377\377\377" >junk.bin &&
	check_bad junk.bin "not a profile: neither gzip nor a pprof protobuf"
'

test_done
