#!/bin/sh
test_description='pprof-decode: every kind of bad input gets one clear error, and nothing is lost'
. "$(dirname "$0")/lib.sh"

# A small valid profile: two samples, an inlined frame, a mapping.
profile_spec() {
	cat <<-\EOT
	1 {
	  1 varint 1
	  2 varint 2
	}
	2 {
	  1 packed 2 1
	  2 packed 7
	}
	2 {
	  1 packed 1
	  2 packed 3
	}
	3 {
	  1 varint 1
	  5 varint 5
	}
	4 {
	  1 varint 1
	  2 varint 1
	  4 {
	    1 varint 1
	  }
	}
	4 {
	  1 varint 2
	  2 varint 1
	  4 {
	    1 varint 3
	  }
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
	5 {
	  1 varint 3
	  2 varint 6
	}
	6 string
	6 string cpu
	6 string nanoseconds
	6 string main.main
	6 string main.work
	6 string /bin/app
	6 string main.inlined
	EOT
}

test_setup 'build the fixtures' '
	profile_spec | pbwrite >good.pb &&
	gzip -c good.pb >good.pb.gz &&
	cat >expect-good <<-\EOT &&
	#cpu/nanoseconds	labels	stack
	7		main.main;main.work;main.inlined_[i]
	3		main.main
	EOT
	pprof-decode good.pb >actual.raw && grep -v "^##" actual.raw | cut -f1,3,4 >actual &&
	test_cmp expect-good actual
'

test_expect_success 'gzip or not is told from the bytes, not the name' '
	cp good.pb.gz looks-raw.pb &&
	cp good.pb looks-gzipped.pb.gz &&
	pprof-decode looks-raw.pb >a1.raw && grep -v "^##" a1.raw | cut -f1,3,4 >a1 &&
	pprof-decode looks-gzipped.pb.gz >a2.raw && grep -v "^##" a2.raw | cut -f1,3,4 >a2 &&
	pprof-decode <good.pb.gz >a3.raw && grep -v "^##" a3.raw | cut -f1,3,4 >a3 &&
	test_cmp expect-good a1 && test_cmp expect-good a2 && test_cmp expect-good a3
'

# check_bad FILE MESSAGE [OPTIONS]: exit 1, that exact error, no output.
check_bad() {
	file=$1 want=$2
	shift 2
	test_expect_code 1 pprof-decode "$@" "$file" >out 2>err &&
	echo "pprof-decode: $file: $want" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
}

test_expect_success 'an empty file' '
	: >empty.pb &&
	check_bad empty.pb "empty file"
'

test_expect_success 'an HTML error page' '
	printf "<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n" >page.pb &&
	check_bad page.pb "not a profile: looks like an HTML or XML document"
'

test_expect_success 'text that is neither gzip nor protobuf' '
	printf "heap profile: 1: 2 [3: 4] @ heap/1048576\n" >legacy.pb &&
	check_bad legacy.pb "not a profile: starts with text \"heap profile: 1: 2 [3: 4] @ heap\""
'

test_expect_success 'binary bytes that are neither gzip nor protobuf' '
	printf "\377\377\377\377\377\377garbage" >junk.pb &&
	check_bad junk.pb "not a profile: neither gzip nor a pprof protobuf"
'

test_expect_success 'a truncated gzip stream' '
	size=$(wc -c <good.pb.gz) &&
	head -c $((size - 12)) good.pb.gz >trunc.pb.gz &&
	check_bad trunc.pb.gz "truncated gzip stream"
'

test_expect_success 'a gzip stream with a bad checksum' '
	size=$(wc -c <good.pb.gz) &&
	{ head -c $((size - 8)) good.pb.gz && printf "\1\2\3\4" &&
	  tail -c 4 good.pb.gz; } >crc.pb.gz &&
	check_bad crc.pb.gz "corrupt gzip stream: incorrect data check"
'

# set_isize FILE N: rewrite the gzip trailer's size (mod 2^32) to N.
set_isize() {
	size=$(wc -c <"$1") &&
	head -c $((size - 4)) "$1" >"$1.tmp" &&
	printf "$(printf "\\\\%03o\\\\%03o\\\\%03o\\\\%03o" $(($2 & 255)) \
	    $(($2 >> 8 & 255)) $(($2 >> 16 & 255)) $(($2 >> 24 & 255)))" >>"$1.tmp" &&
	mv "$1.tmp" "$1"
}

test_expect_success 'a gzip file of several members is one stream' '
	head -c 50 good.pb | gzip -c >members.pb.gz &&
	tail -c +51 good.pb | gzip -c >>members.pb.gz &&
	pprof-decode members.pb.gz >actual.raw && grep -v "^##" actual.raw | cut -f1,3,4 >actual &&
	test_cmp expect-good actual
'

test_expect_success 'bytes after the gzip stream that are not another member' '
	{ cat good.pb.gz && printf "junk"; } >tail.pb.gz &&
	check_bad tail.pb.gz "gzip: 4 bytes of garbage after the compressed stream"
'

test_expect_success 'a gzip trailer that claims more or fewer bytes than there are' '
	size=$(wc -c <good.pb) &&
	cp good.pb.gz more.pb.gz && set_isize more.pb.gz $((size + 1000)) &&
	cp good.pb.gz fewer.pb.gz && set_isize fewer.pb.gz $((size - 20)) &&
	check_bad more.pb.gz "corrupt gzip stream: incorrect length check" &&
	check_bad fewer.pb.gz "corrupt gzip stream: incorrect length check"
'

test_expect_success 'a bomb whose trailer claims a small size still stops at --max-size' '
	head -c 2097152 /dev/zero | gzip -c >liar.pb.gz &&
	set_isize liar.pb.gz 100 &&
	check_bad liar.pb.gz "decompressed size exceeds 1048576 bytes (see --max-size)" --max-size 1M
'

test_expect_success 'a truncated protobuf' '
	size=$(wc -c <good.pb) &&
	head -c $((size - 5)) good.pb >trunc.pb &&
	check_bad trunc.pb "truncated protobuf: field 6 at byte 123 needs 12 bytes, 7 remain"
'

test_expect_success 'a gzip bomb stops at --max-size' '
	head -c 2097152 /dev/zero | gzip -c >bomb.pb.gz &&
	check_bad bomb.pb.gz "decompressed size exceeds 1048576 bytes (see --max-size)" --max-size 1M
'

test_expect_success 'the default cap is 256 MiB' '
	head -c 270000000 /dev/zero | gzip -1 -c >bigbomb.pb.gz &&
	check_bad bigbomb.pb.gz "decompressed size exceeds 268435456 bytes (see --max-size)"
'

test_expect_success 'a string index out of range' '
	profile_spec | sed "s/^  2 varint 6$/  2 varint 99/" | pbwrite >badstr.pb &&
	check_bad badstr.pb "string index 99 out of range (table has 7 entries) in function 3"
'

test_expect_success 'a sample that points at a missing location' '
	profile_spec | sed "s/^  1 packed 2 1$/  1 packed 2 9/" | pbwrite >badloc.pb &&
	check_bad badloc.pb "sample 1 refers to missing location 9"
'

test_expect_success 'a location that points at a missing function' '
	profile_spec | sed "s/^    1 varint 3$/    1 varint 8/" | pbwrite >badfn.pb &&
	check_bad badfn.pb "location 2 refers to missing function 8"
'

test_expect_success 'a sample with more values than sample types' '
	profile_spec | sed "s/^  2 packed 7$/  2 packed 7 8/" | pbwrite >morevals.pb &&
	check_bad morevals.pb "sample 1 has 2 values for 1 sample types"
'

test_expect_success 'a sample with fewer values than sample types' '
	profile_spec | sed "s/^  2 packed 3$/  2 packed/" | pbwrite >fewervals.pb &&
	check_bad fewervals.pb "sample 2 has 0 values for 1 sample types"
'

test_expect_success 'two functions with one id' '
	profile_spec | sed "s/^  1 varint 3$/  1 varint 2/" | pbwrite >dupid.pb &&
	check_bad dupid.pb "two functions with id 2"
'

test_expect_success 'a sample that protobuf-c cannot decode is named with its byte' '
	{ printf "1 {\n  1 varint 1\n  2 varint 2\n}\n2 bytes 0a05\n" &&
	  profile_spec | sed 1,4d; } | pbwrite >badsample.pb &&
	check_bad badsample.pb "malformed protobuf: bad sample message at byte 6"
'

test_expect_success 'a known field with the wrong wire type' '
	{ profile_spec && echo "9 string 1666107597"; } | pbwrite >badwire.pb &&
	size=$(wc -c <good.pb) &&
	check_bad badwire.pb "malformed protobuf: field 9 with wire type 2 at byte $size"
'

test_expect_success 'comments, packed or not, keep their order' '
	{ profile_spec && printf "6 string first\n6 string second\n6 string third\n13 varint 7\n13 packed 8 9\n"; } |
	pbwrite >comments.pb &&
	pprof-decode comments.pb >actual.raw && sed -n "s/^##comment\t//p" actual.raw >actual &&
	printf "first\nsecond\nthird\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'unknown fields are skipped, as protobuf requires' '
	profile_spec | sed "s/^  2 packed 7$/  2 packed 7\n  77 string future/" >spec &&
	printf "99 varint 12345\n100 string extension\n101 {\n  1 varint 1\n}\n" >>spec &&
	pbwrite <spec >unknown.pb &&
	pprof-decode unknown.pb >actual.raw && grep -v "^##" actual.raw | cut -f1,3,4 >actual &&
	test_cmp expect-good actual
'

# Samples of location ids and values alone are read without protobuf-c;
# others (labels, unknown fields, a negative value's ten-byte varint) go
# to protobuf-c. Either way a sample decodes to the same row.
test_expect_success 'samples packed or not, with labels or not, decode alike' '
	profile_spec | sed "/^2 {$/,/^}$/d" >spec &&
	cat >>spec <<-\EOT &&
	2 {
	  1 packed 2 1
	  2 packed 11
	}
	2 {
	  1 varint 2
	  1 varint 1
	  2 varint 12
	}
	2 {
	  1 packed 2
	  1 varint 1
	  2 packed
	  2 varint 13
	}
	2 {
	  2 varint -14
	  1 packed 1
	}
	2 {
	  1 packed 1
	  2 packed 15
	  3 {
	    1 varint 1
	    2 varint 3
	  }
	}
	2 {
	  1 packed 2
	  9 varint 1
	  2 packed 16
	}
	EOT
	pbwrite <spec >shapes.pb &&
	pprof-decode shapes.pb >actual.raw && grep -v "^#" actual.raw | cut -f1,3,4 >actual &&
	cat >expect <<-\EOT &&
	11		main.main;main.work;main.inlined_[i]
	12		main.main;main.work;main.inlined_[i]
	13		main.main;main.work;main.inlined_[i]
	-14		main.main
	15	cpu=main.main	main.main
	16		main.work;main.inlined_[i]
	EOT
	test_cmp expect actual
'

test_expect_success 'location ids of more than 32 bits' '
	pbwrite >wide.pb <<-\EOT &&
	1 {
	  1 varint 1
	  2 varint 2
	}
	2 {
	  1 packed 1
	  2 packed 3
	}
	2 {
	  1 packed 5000000000 1
	  2 packed 5
	}
	2 {
	  1 varint 5000000000
	  2 packed 7
	  3 {
	    1 varint 1
	    2 varint 3
	  }
	}
	4 {
	  1 varint 1
	  4 {
	    1 varint 1
	  }
	}
	4 {
	  1 varint 5000000000
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
	6 string cpu
	6 string nanoseconds
	6 string main.main
	6 string main.work
	EOT
	pprof-decode wide.pb >actual.raw && grep -v "^#" actual.raw | cut -f1,3,4 >actual &&
	cat >expect <<-\EOT &&
	3		main.main
	5		main.main;main.work
	7	cpu=main.main	main.work
	EOT
	test_cmp expect actual
'

test_expect_success 'an empty sample has no values for the sample types' '
	{ cat spec && printf "2 {\n}\n"; } | pbwrite >emptysample.pb &&
	check_bad emptysample.pb "sample 7 has 0 values for 1 sample types"
'

test_expect_success 'frames without a function name are named after the mapping file' '
	pbwrite >unnamed.pb <<-\EOT &&
	1 {
	  1 varint 1
	  2 varint 2
	}
	2 {
	  1 packed 4 1 2 3
	  2 packed 7
	}
	3 {
	  1 varint 1
	  5 varint 3
	}
	4 {
	  1 varint 1
	  2 varint 1
	}
	4 {
	  1 varint 2
	  2 varint 1
	  4 {
	    1 varint 1
	  }
	}
	4 {
	  1 varint 3
	}
	4 {
	  1 varint 4
	  2 varint 1
	  4 {
	    1 varint 1
	  }
	  4 {
	    1 varint 1
	  }
	}
	5 {
	  1 varint 1
	}
	6 string
	6 string cpu
	6 string nanoseconds
	6 string /opt/dir/lib_[i
	EOT
	pprof-decode unnamed.pb >actual.raw && grep -v "^#" actual.raw | cut -f1,3,4 >actual &&
	printf "7\t\t<unknown>;[lib_[i\\\\];[lib_[i\\\\];[lib_[i\\\\];[lib_[i\\\\]_[i]\n" >expect &&
	test_cmp expect actual
'

# A profile of more than 256 KiB inflated is inflated on a second thread
# while the first decodes: 20,000 more samples, then 1,000 strings
# nobody names.
big_spec() {
	profile_spec &&
	awk "BEGIN {
		for (i = 1; i <= 20000; i++)
			printf \"2 {\n  1 packed %d\n  2 packed %d\n}\n\", i % 2 + 1, i
		for (i = 1; i <= 1000; i++)
			printf \"6 string %0100d\n\", i
	}"
}

test_expect_success 'a large gzip profile decodes as its raw bytes do' '
	big_spec | pbwrite >big.pb &&
	test $(wc -c <big.pb) -gt 262144 &&
	gzip -c big.pb >big.pb.gz &&
	pprof-decode big.pb >expect.raw && sed 1d expect.raw >expect &&
	pprof-decode big.pb.gz >actual.raw && sed 1d actual.raw >actual &&
	test_cmp expect actual &&
	test "$(grep -vc "^#" actual)" = 20002 &&
	grep -v "^#" actual | cut -f1 | sort -n | tail -1 >max &&
	echo 20000 >expect && test_cmp expect max
'

# The second thread starts only when the last four bytes, the trailer's
# size, are plausible: the broken files below keep a good one at the end.
# The inflating thread reads the string table once it is done, while the
# first thread walks the rest: strings anywhere in the file, before the
# samples and after, keep their order.
test_expect_success 'a large profile with strings spread out decodes as its raw bytes do' '
	{ profile_spec | grep "^6 string" &&
	  profile_spec | grep -v "^6 string" &&
	  printf "13 varint 1006\n6 string a comment\n" &&
	  awk "BEGIN {
		for (i = 1; i <= 20000; i++)
			printf \"2 {\n  1 packed %d\n  2 packed %d\n}\n\", i % 2 + 1, i
		for (i = 1; i <= 1000; i++)
			printf \"6 string %0100d\n\", i
	  }" &&
	  printf "13 varint 7\n"; } | pbwrite >spread.pb &&
	gzip -c spread.pb >spread.pb.gz &&
	pprof-decode spread.pb >expect.raw && sed 1d expect.raw >expect &&
	pprof-decode spread.pb.gz >actual.raw && sed 1d actual.raw >actual &&
	test_cmp expect actual &&
	grep "^##comment" actual >comments &&
	printf "##comment\t%0100d\n##comment\ta comment\n" 999 >expect &&
	test_cmp expect comments
'

test_expect_success 'a large profile in several gzip members' '
	head -c 1000 big.pb | gzip -c >bigmembers.pb.gz &&
	tail -c +1001 big.pb | gzip -c >>bigmembers.pb.gz &&
	pprof-decode big.pb >expect.raw && sed 1d expect.raw >expect &&
	pprof-decode bigmembers.pb.gz >actual.raw && sed 1d actual.raw >actual &&
	test_cmp expect actual
'

test_expect_success 'a large profile: a gzip stream cut short, a bad checksum' '
	size=$(wc -c <big.pb.gz) &&
	{ head -c $((size - 1000)) big.pb.gz && tail -c 4 big.pb.gz; } >bigtrunc.pb.gz &&
	check_bad bigtrunc.pb.gz "truncated gzip stream" &&
	{ head -c $((size - 8)) big.pb.gz && printf "\1\2\3\4" &&
	  tail -c 4 big.pb.gz; } >bigcrc.pb.gz &&
	check_bad bigcrc.pb.gz "corrupt gzip stream: incorrect data check"
'

test_expect_success 'a large profile: a trailer that lies, bytes after the stream' '
	size=$(wc -c <big.pb) &&
	cp big.pb.gz bigmore.pb.gz && set_isize bigmore.pb.gz $((size + 1000)) &&
	cp big.pb.gz bigfewer.pb.gz && set_isize bigfewer.pb.gz $((size - 20)) &&
	check_bad bigmore.pb.gz "corrupt gzip stream: incorrect length check" &&
	check_bad bigfewer.pb.gz "corrupt gzip stream: incorrect length check" &&
	{ cat big.pb.gz && tail -c 4 big.pb.gz; } >bigtail.pb.gz &&
	check_bad bigtail.pb.gz "gzip: 4 bytes of garbage after the compressed stream"
'

test_expect_success 'a large profile: a bad message is named with its byte, gzip or not' '
	size=$(wc -c <big.pb) &&
	{ big_spec && echo "2 bytes 0a05"; } | pbwrite >bigbad.pb &&
	gzip -c bigbad.pb >bigbad.pb.gz &&
	check_bad bigbad.pb "malformed protobuf: bad sample message at byte $size" &&
	check_bad bigbad.pb.gz "malformed protobuf: bad sample message at byte $size"
'

test_expect_success 'a large profile: a missing location, gzip or not' '
	{ big_spec && printf "2 {\n  1 packed 9\n  2 packed 1\n}\n"; } | pbwrite >bigloc.pb &&
	gzip -c bigloc.pb >bigloc.pb.gz &&
	check_bad bigloc.pb "sample 20003 refers to missing location 9" &&
	check_bad bigloc.pb.gz "sample 20003 refers to missing location 9"
'

test_expect_success 'a bomb whose trailer claims a large size stops at --max-size' '
	head -c 2097152 /dev/zero | gzip -c >bigliar.pb.gz &&
	set_isize bigliar.pb.gz 300000 &&
	check_bad bigliar.pb.gz "decompressed size exceeds 1048576 bytes (see --max-size)" --max-size 1M
'

test_expect_success 'a missing file' '
	test_expect_code 1 pprof-decode nosuch.pb >out 2>err &&
	echo "pprof-decode: nosuch.pb: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_success 'good files around a bad one are still decoded, exit 1' '
	test_expect_code 1 pprof-decode good.pb empty.pb good.pb.gz >out 2>err &&
	echo "pprof-decode: empty.pb: empty file" >expect &&
	test_cmp expect err &&
	test "$(grep -c "^##profile" out)" = 2 &&
	grep "^##profile" out >actual &&
	printf "##profile\tgood.pb\n##profile\tgood.pb.gz\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a sample type the profile lacks is named with those it has' '
	test_expect_code 1 pprof-decode -t alloc_space good.pb >out 2>err &&
	echo "pprof-decode: good.pb: no sample type alloc_space (the profile has: cpu)" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 pprof-decode --bogus good.pb 2>err &&
	grep "^usage: pprof-decode" err &&
	test_expect_code 2 pprof-decode --max-size lots good.pb 2>err &&
	echo "pprof-decode: --max-size: not a byte count: lots" >expect &&
	test_cmp expect err
'

test_done
