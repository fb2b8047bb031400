#!/bin/sh
test_description='pprof-diff --folded: difffolded.pl'"'"'s two-column folded stacks of two sample streams'
. "$(dirname "$0")/lib.sh"

# stream SOURCE: a one-type sample stream; rows on stdin as
# "value site stack".
stream() {
	printf '##profile\t%s\n##time\t1700000000000000000\t-\n' "$1"
	printf '#space/bytes\tsite\tlabels\tstack\n'
	while read -r v site stack; do
		printf '%s\t%s\t\t%s\n' "$v" "$site" "$stack"
	done
}

test_setup 'two profiles: a grows, b stays, c goes, d and e come' '
	stream a.pprof >a <<-\EOT &&
	10 s1 main.main;main.a
	4 s6 main.main;main.a
	20 s2 main.main;main.b;main.b
	5 s3 main.main;main.c
	0 s7 main.zero
	9 s8
	EOT
	stream b.pprof >b <<-\EOT
	30 s1 main.main;main.a
	20 s2 main.main;main.b;main.b
	7 s4 main.main;main.d_[i]
	3 s5 main.main;main.e
	3 s5 main.main;main.e
	0 s7 main.zero
	EOT
'

test_expect_success 'stack, sum in a, sum in b: sorted, zeros and stackless rows out' '
	pprof-diff --folded a b >actual &&
	cat >expect <<-\EOT &&
	main.main;main.a 14 30
	main.main;main.b;main.b 20 20
	main.main;main.c 5 0
	main.main;main.d_[i] 0 7
	main.main;main.e 0 6
	EOT
	test_cmp expect actual
'

# sum(a)/sum(b) = 48/63, b scaled sample by sample after merging equal
# samples, rounded half away from zero: 30 -> 22.86, 20 -> 15.24,
# 7 -> 5.33, 6 -> 4.57.
test_expect_success '--normalize scales b first, as the table does' '
	pprof-diff --folded --normalize a b >actual &&
	cat >expect <<-\EOT &&
	main.main;main.a 14 23
	main.main;main.b;main.b 20 15
	main.main;main.c 5 0
	main.main;main.d_[i] 0 5
	main.main;main.e 0 5
	EOT
	test_cmp expect actual
'

test_expect_success 'the columns agree with the table'"'"'s flat per leaf' '
	pprof-diff --folded a b >folded &&
	awk "{ n = split(\$1, f, \";\"); sub(/_\\[i\\]\$/, \"\", f[n]);
	    a[f[n]] += \$2; b[f[n]] += \$3 }
	    END { for (k in a) print k \"\t\" a[k] \"\t\" b[k] }" folded |
	    sort >expect &&
	pprof-diff a b >table &&
	grep -v "^#" table | awk -F"\t" "\$1 != 0 || \$2 != 0 { print \$9 \"\t\" \$1 \"\t\" \$2 }" |
	    sort >actual &&
	test_cmp expect actual
'

test_expect_success 'refused: a pprof-top table' '
	pprof-top a >a.top &&
	test_expect_code 1 pprof-diff --folded a.top b >out 2>err &&
	echo "pprof-diff: a.top: --folded needs two sample streams, not a pprof-top table" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'usage: --folded with --sort' '
	test_expect_code 2 pprof-diff --folded --sort cum a b 2>err &&
	echo "pprof-diff: --folded is sorted by stack: no --sort" >expect &&
	test_cmp expect err
'

test_done
