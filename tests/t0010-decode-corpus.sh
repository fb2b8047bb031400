#!/bin/sh
test_description='pprof-decode on the shared corpus: exact totals, folded round trip'
. "$(dirname "$0")/lib.sh"

test_have_prereq CORPUS || skip_all "no corpus at $CORPUS (only in the project's own checkout)"

for f in "$CORPUS"/profiles/*; do
	b=$(basename "$f")
	test_expect_success "$b: sums and sample count equal $b.totals" "
		pprof-decode '$f' >stream &&
		colsum <stream >actual &&
		test_cmp '$CORPUS/expected/$b.totals' actual
	"
done

for f in "$CORPUS"/profiles/*; do
	b=$(basename "$f")
	test_expect_success "$b: --folded sums every stack of the stream per type" "
		pprof-decode '$f' >stream &&
		cut -f1 '$CORPUS/expected/$b.totals' >types &&
		while read -r t; do
			pprof-decode --folded -t \"\$t\" '$f' >folded &&
			awk -F'\t' -v t=\"\$t\" '
				/^##/ { next }
				/^#/ { for (i = 1; i <= NF; i++) { split(\$i, a, \"/\"); if (a[1] == t || a[1] == \"#\" t) c = i } next }
				{ s[\$NF != \"\" ? \$NF : \"<empty stack>\"] += \$c }
				END { for (k in s) if (s[k] != 0) printf \"%s %.0f\n\", k, s[k] }
			' stream | sort >expect &&
			sort folded >actual &&
			test_cmp expect actual || return 1
		done <types
	"
done

test_expect_success 'the sample stream of pprof-sample.cpu.pb.gz starts as documented' '
	pprof-decode "$CORPUS/profiles/pprof-sample.cpu.pb.gz" >stream &&
	sed -n "1,9p" stream | sed "s|^##profile.*|##profile|" >actual &&
	cat >expect <<-\EOT &&
	##profile
	##time	1506718679257235370	2017-09-29T20:57:59Z
	##duration	2002012950
	##period	10000000	cpu	nanoseconds
	##default_type	cpu
	##file	/usr/local/google/home/sanjay/go/src/github.com/google/pprof/internal/report/testdata/sample.bin
	##build_id	
	##samples	76
	#samples/count	cpu/nanoseconds	site	labels	stack
	EOT
	test_cmp expect actual
'

test_expect_success 'unsymbolized frames are named after their mapping, as pprof does' '
	pprof-decode --folded "$CORPUS/profiles/pprof-cppbench-unsymbolized.cpu.pb.gz" >folded &&
	grep -c "^\[libpthread-2.15.so\];\[cppbench_server_main\]" folded >n &&
	test "$(cat n)" -gt 0 &&
	pprof-decode --folded "$CORPUS/profiles/pprof-nomappings.heap.pb.gz" >folded &&
	cut -d" " -f1 folded | tr ";" "\n" | sort -u >actual &&
	echo "<unknown>" >expect &&
	test_cmp expect actual
'

test_expect_success 'numeric labels keep their unit (Go heap profiles carry bytes)' '
	pprof-decode "$CORPUS/profiles/go-runtime-heap.pb.gz" >stream &&
	grep -v "^#" stream | cut -f6 | grep -v "^bytes:[0-9][0-9]*$" >bad || true &&
	test_must_be_empty bad
'

test_done
