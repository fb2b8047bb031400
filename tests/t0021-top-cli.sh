#!/bin/sh
test_description='pprof-top: the TSV table, merging, recursion, inline marks, options and bad input'
. "$(dirname "$0")/lib.sh"

# Three functions; main.work is inlined into main.loop in one location and
# called normally from main.main in another; main.rec recurses.
profile_spec() {
	cat <<-\EOT
	1 {
	  1 varint 1
	  2 varint 2
	}
	2 {
	  1 packed 2 1
	  2 packed 60
	}
	2 {
	  1 packed 3 1
	  2 packed 30
	}
	2 {
	  1 packed 4 4 1
	  2 packed 10
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
	  4 {
	    1 varint 3
	  }
	}
	4 {
	  1 varint 3
	  4 {
	    1 varint 2
	  }
	}
	4 {
	  1 varint 4
	  4 {
	    1 varint 4
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
	  2 varint 5
	}
	5 {
	  1 varint 4
	  2 varint 6
	}
	6 string
	6 string space
	6 string bytes
	6 string main.main
	6 string main.work
	6 string main.loop
	6 string main.rec
	14 varint 1
	EOT
}

test_setup 'build a profile and its stream' '
	profile_spec | pbwrite >p.pb &&
	pprof-decode p.pb >stream
'

test_expect_success 'TSV: raw integers, two-decimal percentages, inline column' '
	pprof-top stream >actual &&
	cat >expect <<-\EOT &&
	##type	space
	##unit	bytes
	##total	100
	##nodes	4	4
	#flat	flat%	sum%	cum	cum%	function	inline
	90	90.00	90.00	90	90.00	main.work	partial-inline
	10	10.00	100.00	10	10.00	main.rec	
	0	0.00	100.00	60	60.00	main.loop	
	0	0.00	100.00	100	100.00	main.main	
	EOT
	test_cmp expect actual
'

test_expect_success 'recursion counts once in cum, flat goes to the leaf' '
	grep "main.rec" actual >rec &&
	printf "10\t10.00\t100.00\t10\t10.00\tmain.rec\t\n" >expect &&
	test_cmp expect rec
'

test_expect_success 'several profiles in one stream are merged' '
	cat stream stream >twice &&
	pprof-top twice >actual &&
	sed -n "3p;6p" actual >got &&
	printf "##total\t200\n180\t90.00\t90.00\t180\t90.00\tmain.work\tpartial-inline\n" >expect &&
	test_cmp expect got
'

test_expect_success 'the pprof layout marks a function inlined in some callers' '
	pprof-top --format pprof stream >actual &&
	cat >expect <<-\EOT &&
	Type: space
	Showing nodes accounting for 100B, 100% of 100B total
	      flat  flat%   sum%        cum   cum%
	       90B 90.00% 90.00%        90B 90.00%  main.work (partial-inline)
	       10B 10.00%   100%        10B 10.00%  main.rec
	         0     0%   100%        60B 60.00%  main.loop
	         0     0%   100%       100B   100%  main.main
	EOT
	test_cmp expect actual
'

# pprof rebuilds its graph from the kept nodes: with main.loop and
# main.main gone, no edge reaches main.work, so it loses its mark.
test_expect_success '-n keeps the largest rows, says so, and relabels inline' '
	pprof-top -n 2 --format pprof stream >actual &&
	cat >expect <<-\EOT &&
	Type: space
	Showing nodes accounting for 100B, 100% of 100B total
	Showing top 2 nodes out of 4
	      flat  flat%   sum%        cum   cum%
	       90B 90.00% 90.00%        90B 90.00%  main.work
	       10B 10.00%   100%        10B 10.00%  main.rec
	EOT
	test_cmp expect actual
'

test_expect_success '--sort cum orders by cum' '
	pprof-top --sort cum stream >actual &&
	grep -v "^#" actual | cut -f6 >names &&
	printf "main.main\nmain.work\nmain.loop\nmain.rec\n" >expect &&
	test_cmp expect names
'

test_expect_success '--focus keeps samples with a matching frame; total stays the whole profile' '
	pprof-top --focus "loop" stream >actual &&
	grep -v "^##nodes" actual >got &&
	cat >expect <<-\EOT &&
	##type	space
	##unit	bytes
	##total	100
	#flat	flat%	sum%	cum	cum%	function	inline
	60	60.00	60.00	60	60.00	main.work	inline
	0	0.00	60.00	60	60.00	main.loop	
	0	0.00	60.00	60	60.00	main.main	
	EOT
	test_cmp expect got
'

test_expect_success '--ignore drops samples with a matching frame' '
	pprof-top --ignore "^main\.(loop|rec)$" stream >actual &&
	grep -v "^#" actual | cut -f1,6 >got &&
	printf "30\tmain.work\n0\tmain.main\n" >expect &&
	test_cmp expect got
'

test_expect_success 'names with tabs and semicolons stay one TSV field' '
	profile_spec | sed "s/^6 string main.rec$/6 string a;b	c/" | pbwrite >odd.pb &&
	pprof-decode odd.pb >odd &&
	pprof-top odd >actual &&
	grep "^10	" actual >got &&
	printf "10\t10.00\t100.00\t10\t10.00\ta;b\\\\tc\t\n" >expect &&
	test_cmp expect got
'

# Frames of 1 to 40 bytes, some with "\;" or "\\" at varied offsets, in
# stacks of 1 to 13 frames: the separators fall at every offset of the
# eight-byte words pprof-top reads. awk keeps the frames it joined, so it
# knows each function's flat and cum without splitting anything.
test_expect_success 'stacks split right wherever their separators fall' '
	awk "BEGIN {
		for (k = 0; k < 40; k++) {
			name[k] = substr(\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN\", 1, k + 1);
			if (k % 5 == 1) name[k] = substr(name[k], 1, k / 2) \"\\\\;\" substr(name[k], k / 2 + 1);
			if (k % 5 == 3) name[k] = \"\\\\\\\\\" name[k];
		}
		printf \"##profile\\tsplit\\n#samples/count\\tsite\\tlabels\\tstack\\n\" >\"split\";
		for (i = 0; i < 3000; i++) {
			d = 1 + (i * 7) % 13; st = \"\"; delete seen;
			for (j = 0; j < d; j++) {
				f = name[(i * 11 + j * 31 + j * j) % 40];
				st = st (j ? \";\" : \"\") f;
				if (!(f in seen)) { seen[f] = 1; cum[f]++ }
			}
			flat[f]++;
			printf \"1\\t%016x\\t\\t%s\\n\", i, st >\"split\";
		}
		for (f in cum) {
			out = f; gsub(/\\\\;/, \";\", out);
			printf \"%d\\t%d\\t%s\\n\", flat[f], cum[f], out >\"expect.raw\";
		}
	}" &&
	sort <expect.raw >expect &&
	pprof-top --nodefraction 0 split >out &&
	grep -v "^#" out | cut -f1,4,6 | sort >actual &&
	test "$(wc -l <actual)" -gt 30 &&
	test_cmp expect actual
'

test_expect_success 'a -t the stream lacks names the types it has' '
	test_expect_code 1 pprof-top -t cpu stream >out 2>err &&
	echo "pprof-top: stream: no sample type cpu (the profile has: space)" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'input that is not a sample stream' '
	printf "flat\tcum\n1\t2\n" >notstream &&
	test_expect_code 1 pprof-top notstream >out 2>err &&
	echo "pprof-top: notstream:1: not a sample stream (expected a ##profile line; is this pprof-decode output?)" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'a row that does not match its header' '
	sed "\$s/\t[^\t]*\$//" stream >short &&
	test_expect_code 1 pprof-top short >out 2>err &&
	n=$(wc -l <short) &&
	echo "pprof-top: short:$n: expected 4 fields, got 3" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'a truncated stream (fewer rows than declared)' '
	sed "\$d" stream >trunc &&
	test_expect_code 1 pprof-top trunc >out 2>err &&
	n=$(wc -l <trunc) &&
	echo "pprof-top: trunc:$n: profile block p.pb declares 3 samples but has 2 (truncated stream?)" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'an empty stream' '
	: >empty &&
	test_expect_code 1 pprof-top empty >out 2>err &&
	echo "pprof-top: empty: empty stream: no profile blocks" >expect &&
	test_cmp expect err
'

test_expect_success 'profiles of different kinds do not merge' '
	sed "s|^#space/bytes|#cpu/nanoseconds|" stream >other &&
	cat stream other >mixed &&
	test_expect_code 1 pprof-top mixed >out 2>err &&
	grep "^pprof-top: mixed:[0-9]*: profile block p.pb has sample types cpu, unlike the first block$" err &&
	test_must_be_empty out
'

test_expect_success 'values whose sum overflows 64 bits are refused, not wrapped' '
	printf "##profile\tx\n#cpu/nanoseconds\tsite\tlabels\tstack\n9223372036854775807\t0\t\ta\n9223372036854775807\t0\t\ta\n" >huge &&
	test_expect_code 1 pprof-top huge >out 2>err &&
	echo "pprof-top: huge: values overflow a 64-bit sum" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

# Names of one length that share their first, middle and last eight
# bytes: the cheap hash of pprof-top's name index gives them all one value.
test_expect_success 'names made to collide in the name index are all kept apart' '
	awk "BEGIN {
		printf \"##profile\\tcoll\\n##samples\\t20000\\n\";
		printf \"#samples/count\\tsite\\tlabels\\tstack\\n\";
		for (i = 0; i < 20000; i++) {
			a = sprintf(\"%08d\", i); r = \"\";
			for (j = 8; j > 0; j--) r = r substr(a, j, 1);
			printf \"%d\\t%016x\\t\\tcoll.fn_%sMIDDLE__%s_suffix_\\n\", i % 7 + 1, i, a, r;
		}
	}" >coll &&
	pprof-top --nodefraction 0 coll >out &&
	grep -v "^#" out | cut -f6 | sort >names &&
	test "$(wc -l <names)" = 20000 &&
	test "$(uniq <names | wc -l)" = 20000 &&
	grep -v "^#" out | awk -F "\t" "{ s += \$1 } END { print s }" >sum &&
	awk "BEGIN { for (i = 0; i < 20000; i++) s += i % 7 + 1; print s }" >expect &&
	test_cmp expect sum
'

test_expect_success 'a regex that does not compile is a usage error' '
	test_expect_code 2 pprof-top --focus "(" stream >out 2>err &&
	grep "^pprof-top: --focus: bad regular expression (: " err &&
	test_must_be_empty out
'

test_expect_success 'bad option values are usage errors' '
	test_expect_code 2 pprof-top --format html stream 2>err &&
	echo "pprof-top: --format: expected tsv or pprof, not html" >expect &&
	test_cmp expect err &&
	test_expect_code 2 pprof-top --nodefraction 2 stream 2>err &&
	echo "pprof-top: --nodefraction: not a fraction from 0 to 1: 2" >expect &&
	test_cmp expect err &&
	test_expect_code 2 pprof-top -n -3 stream 2>err &&
	echo "pprof-top: -n: not a node count: -3" >expect &&
	test_cmp expect err
'

test_done
