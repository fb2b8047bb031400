#!/bin/sh
test_description='pprof-decode --stack-ids: the compact stream, each stack once, read by every filter as the full one'
. "$(dirname "$0")/lib.sh"

# heap_stream N: heap profile N of one program, the same 400 stacks in
# each (every seventh with labels, the last empty, the others as long as
# a controller's), values growing with N.
heap_stream() {
	printf '##profile\th%s.pprof\n##time\t17000000%s0000000000\t-\n' "$1" "$1"
	printf '##period\t524288\tspace\tbytes\n##default_type\tinuse_space\n'
	printf '#alloc_space/bytes\tinuse_space/bytes\tsite\tlabels\tstack\n'
	awk -v n="$1" 'BEGIN { for (i = 1; i <= 400; i++) {
		l = i % 7 == 0 ? "k=v" : ""
		s = i == 400 ? "" : "runtime.goexit;sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).Start.func2.2;k8s.io/client-go/tools/cache.(*Reflector).ListAndWatch;main.main;pkg.(*C).run" i % 9 ";encoding/json.Unmarshal_[i];f" i
		printf "%d\t%d\ts%d\t%s\t%s\n", i * 1024 * n, i * 512, i, l, s } }'
}

test_setup 'three heap profiles that share their stacks, made by pprof-encode' '
	for n in 1 2 3; do
		heap_stream $n >s$n && pprof-encode -o h$n.pb.gz s$n || return 1
	done &&
	pprof-decode h1.pb.gz h2.pb.gz h3.pb.gz >full &&
	pprof-decode --stack-ids h1.pb.gz h2.pb.gz h3.pb.gz >compact
'

# distinct FULL: the stacks of a full stream, each once, in order of use.
distinct() {
	awk -F '\t' '!/^#/ && !seen[$NF]++ { print $NF }' "$1"
}

# expand COMPACT: the compact stream with each row's stack written out.
expand() {
	awk -F '\t' -v OFS='\t' '/^##stack\t/ { s[$2] = $3; next }
	    /^#/ { sub(/\tstack_id$/, "\tstack"); print; next }
	    { $NF = s[$NF]; print }' "$1"
}

test_expect_success 'each distinct stack of the full stream is one ##stack line, numbered in order' '
	distinct full >stacks.full &&
	test "$(wc -l <stacks.full)" = 400 &&
	sed -n "s/^##stack	[0-9]*	//p" compact >stacks.compact &&
	test_cmp stacks.full stacks.compact &&
	sed -n "s/^##stack	\([0-9]*\)	.*/\1/p" compact >ids &&
	seq 1 400 >ids.want &&
	test_cmp ids.want ids &&
	test "$(grep -c "^#.*	stack_id$" compact)" = 3 &&
	test "$(grep -vc "^#" compact)" = 1200
'

test_expect_success 'the rows are the full rows, the stack by number; under half the bytes' '
	expand compact >expanded &&
	test_cmp full expanded &&
	test "$(wc -c <compact)" -lt "$(($(wc -c <full) / 2))"
'

# check NAME CMD: CMD (a tool and its options) on the full and on the
# compact stream: the same output, status and messages.
check() {
	cmd=$2
	test_expect_success "$1: as from the full stream" '
		rc=0 && $cmd full >out.full 2>err.full || rc=$?
		rc2=0 && $cmd compact >out.compact 2>err.compact || rc2=$?
		test "$rc" = "$rc2" &&
		test_cmp out.full out.compact &&
		sed "s/compact/full/g" err.compact >err.compact2 &&
		test_cmp err.full err.compact2 &&
		test -s out.full
	'
}

check 'pprof-top' 'pprof-top'
check 'pprof-top by cum, focused' 'pprof-top --sort cum --focus json'
check 'pprof-top as pprof prints it' 'pprof-top -t alloc_space --format pprof'
check 'pprof-series' 'pprof-series'
check 'pprof-series, the growth table' 'pprof-series --growth'

test_expect_success 'pprof-diff of two compact streams: as of the full ones' '
	pprof-decode h1.pb.gz >a.full && pprof-decode h3.pb.gz >b.full &&
	pprof-decode --stack-ids h1.pb.gz >a.compact &&
	pprof-decode --stack-ids h3.pb.gz >b.compact &&
	pprof-diff -t alloc_space a.full b.full >diff.full &&
	pprof-diff -t alloc_space a.compact b.compact |
	    sed "s/\\.compact/.full/g" >diff.compact &&
	test_cmp diff.full diff.compact
'

test_expect_success 'pprof-encode: the same bytes from either stream' '
	pprof-encode -o e.full.pb.gz full &&
	pprof-encode -o e.compact.pb.gz compact &&
	cmp e.full.pb.gz e.compact.pb.gz &&
	pprof-encode -b a.compact -o d.compact.pb.gz b.compact &&
	pprof-encode -b a.full -o d.full.pb.gz b.full &&
	cmp d.full.pb.gz d.compact.pb.gz
'

test_expect_success 'a row naming a stack not yet defined: an error with its line' '
	sed "/^##stack	2	/d" compact >broken &&
	test_expect_code 1 pprof-top broken >out 2>err &&
	grep -q "^pprof-top: broken:[0-9]*: stack id 2 is not defined$" err
'

test_expect_success '--stack-ids with --folded is a usage error' '
	test_expect_code 2 pprof-decode --stack-ids --folded h1.pb.gz >out 2>err &&
	test_must_be_empty out &&
	grep -q "^pprof-decode: --stack-ids: not with --folded$" err
'

test_done
