#!/bin/sh
test_description='pprof-encode: pprof files from sample streams, checked by pprof-decode and by go tool pprof -top itself'
. "$(dirname "$0")/lib.sh"

# go tool pprof keeps state under HOME; keep it in the trash directory.
HOME=$TRASH
export HOME

test_setup 'a stream with inline frames, labels, comments and two blocks' '
	printf "##profile\ta.pprof\n##time\t1700000000000000000\t-\n" >s &&
	printf "##duration\t1000000000\n##period\t10000000\tcpu\tnanoseconds\n" >>s &&
	printf "##default_type\tcpu\n##file\t/bin/manager\n##build_id\tabc\n" >>s &&
	printf "##comment\tfirst\n##samples\t3\n" >>s &&
	printf "#samples/count\tcpu/nanoseconds\tsite\tlabels\tstack\n" >>s &&
	printf "1\t10\ts1\tk=v\\\\,w,n:3:bytes\tmain.main;main.f;main.g_[i];main.h_[i]\n" >>s &&
	printf "2\t20\ts2\t\tmain.main;semi\\\\;colon;odd_[i\\\\]\n" >>s &&
	printf "3\t30\ts3\t\tmain.main;main.f;main.g_[i]\n" >>s &&
	printf "##profile\tb.pprof\n##time\t1600000000000000000\t-\n" >>s &&
	printf "##duration\t2000000000\n##period\t20000000\tcpu\tnanoseconds\n" >>s &&
	printf "##comment\tfirst\n##comment\tsecond\n" >>s &&
	printf "#samples/count\tcpu/nanoseconds\tsite\tlabels\tstack\n" >>s &&
	printf "4\t40\ts1\tk=v\\\\,w,n:3:bytes\tmain.main;main.f;main.g_[i];main.h_[i]\n" >>s &&
	printf "0\t0\ts9\t\tmain.zero\n" >>s
'

test_expect_success 'the blocks merge into one profile with pprof'"'"'s merged header' '
	pprof-encode -o out.pb.gz s &&
	pprof-decode out.pb.gz >back &&
	grep "^##" back | grep -v "^##profile" >got &&
	cat >expect <<-\EOT &&
	##time	1600000000000000000	2020-09-13T12:26:40Z
	##duration	3000000000
	##period	20000000	cpu	nanoseconds
	##default_type	cpu
	##file	/bin/manager
	##build_id	abc
	##comment	first
	##comment	second
	##samples	3
	EOT
	test_cmp expect got
'

test_expect_success 'rows come back with their values, labels, inline marks and escapes' '
	grep -v "^#" back | cut -f1,2,4,5 | sort >got &&
	printf "2\t20\t\tmain.main;semi\\\\;colon;odd_[i\\\\]\n" >expect &&
	printf "3\t30\t\tmain.main;main.f;main.g_[i]\n" >>expect &&
	printf "5\t50\tk=v\\\\,w,n:3:bytes\tmain.main;main.f;main.g_[i];main.h_[i]\n" >>expect &&
	test_cmp expect got
'

test_expect_success 'the file is gzip, as Go writes profiles' '
	od -An -tx1 -N2 out.pb.gz >got &&
	echo " 1f 8b" >expect &&
	test_cmp expect got
'

test_expect_success '-b subtracts the base; negative values stay' '
	printf "##profile\tbase\n#samples/count\tcpu/nanoseconds\tsite\tlabels\tstack\n" >base &&
	printf "1\t15\ts3\t\tmain.main;main.f;main.g_[i]\n" >>base &&
	printf "2\t20\ts2\t\tmain.main;semi\\\\;colon;odd_[i\\\\]\n" >>base &&
	printf "1\t5\ts7\t\tmain.gone\n" >>base &&
	pprof-encode -b base -o d.pb.gz s &&
	pprof-decode d.pb.gz >back &&
	grep -v "^#" back | cut -f1,2,4,5 | sort >got &&
	printf "%s\n" "-1	-5		main.gone" >expect &&
	printf "2\t15\t\tmain.main;main.f;main.g_[i]\n" >>expect &&
	printf "5\t50\tk=v\\\\,w,n:3:bytes\tmain.main;main.f;main.g_[i];main.h_[i]\n" >>expect &&
	test_cmp expect got
'

test_expect_success '--diff-base labels the negated base pprof::base=true' '
	pprof-encode --diff-base base -o d.pb.gz s &&
	pprof-decode d.pb.gz >back &&
	grep -v "^#" back | cut -f1,2,4,5 | sort >got &&
	printf "%s\n" "-1	-15	pprof\\:\\:base=true	main.main;main.f;main.g_[i]" >expect &&
	printf "%s\n" "-1	-5	pprof\\:\\:base=true	main.gone" >>expect &&
	printf "%s\n" "-2	-20	pprof\\:\\:base=true	main.main;semi\\;colon;odd_[i\\]" >>expect &&
	printf "2\t20\t\tmain.main;semi\\\\;colon;odd_[i\\\\]\n" >>expect &&
	printf "3\t30\t\tmain.main;main.f;main.g_[i]\n" >>expect &&
	printf "5\t50\tk=v\\\\,w,n:3:bytes\tmain.main;main.f;main.g_[i];main.h_[i]\n" >>expect &&
	test_cmp expect got
'

test_expect_success 'standard input, -o - to a pipe' '
	pprof-encode -o - <s >piped.pb.gz &&
	pprof-decode piped.pb.gz >a &&
	pprof-decode out.pb.gz >b &&
	grep -v "^##profile" a >a1 && grep -v "^##profile" b >b1 &&
	test_cmp a1 b1
'

test_expect_success 'usage: no -o, two bases, stdin twice' '
	test_expect_code 2 pprof-encode s 2>err &&
	echo "usage: pprof-encode -o file [-b base | --diff-base base] [stream ...]" >expect &&
	test_cmp expect err &&
	test_expect_code 2 pprof-encode -o x -b base --diff-base base s 2>err &&
	echo "pprof-encode: one base only: -b or --diff-base" >expect &&
	test_cmp expect err &&
	test_expect_code 2 pprof-encode -o x -b - 2>err <s &&
	echo "pprof-encode: only one input can be standard input" >expect &&
	test_cmp expect err &&
	test ! -e x
'

# bad NAME MESSAGE: pprof-encode refuses the stream in file bad with
# MESSAGE, exit 1, and leaves neither the output nor a temporary file.
bad() {
	test_expect_success "refused: $1" "
		rm -rf o && mkdir o &&
		test_expect_code 1 pprof-encode -o o/p.pb.gz s bad 2>err &&
		echo '$2' >expect &&
		test_cmp expect err &&
		ls o >left &&
		test_must_be_empty left
	"
}

printf '##profile\tx\n#space/bytes\tsite\tlabels\tstack\n1\ts\t\tmain\n' >"$TRASH/bad"
bad 'other sample types' 'pprof-encode: bad:2: profile block x has other sample types than the first block'
printf '##profile\tx\n#samples/count\tcpu/nanoseconds\tsite\tlabels\tstack\n1\t1\ts\tnolabel\tmain\n' >"$TRASH/bad"
bad 'labels that do not parse' 'pprof-encode: bad:3: not a label list'
printf '##profile\tx\n#samples/count\tcpu/nanoseconds\tsite\tlabels\tstack\n1\t1\ts\tn:x\tmain\n' >"$TRASH/bad"
bad 'a numeric label that is no number' 'pprof-encode: bad:3: not a label list'
: >"$TRASH/bad"
bad 'an empty stream' 'pprof-encode: bad: empty stream: no profile blocks'
printf '##profile\tx\n#samples/count\tcpu/nanoseconds\tsite\tlabels\tstack\n9223372036854775807\t1\ts\t\tmain\n9223372036854775807\t1\ts\t\tmain\n' >"$TRASH/bad"
bad 'values that overflow' 'pprof-encode: values overflow a 64-bit sum'

test_expect_success 'refused: an output that is not a regular file' '
	mkdir dir.pb.gz &&
	test_expect_code 1 pprof-encode -o dir.pb.gz s 2>err &&
	echo "pprof-encode: dir.pb.gz: not a regular file" >expect &&
	test_cmp expect err
'

# The corpus: every profile decoded and encoded again reads, in go tool
# pprof, exactly as the corpus' own go tool pprof output of the original,
# for every sample type (a 2-column check of everything pprof prints:
# header, totals, every node's flat and cum, inline marks).
if ! command -v go >/dev/null 2>&1; then
	test_skip 'the corpus through pprof-encode' 'needs go for go tool pprof'
elif ! test_have_prereq CORPUS; then
	test_skip 'the corpus through pprof-encode' "no corpus at $CORPUS"
else
	for f in "$CORPUS"/profiles/*; do
		b=$(basename "$f")
		test_expect_success "corpus: $b, every sample type" "
			pprof-decode '$f' >c.stream &&
			pprof-encode -o c.pb.gz c.stream &&
			n=0 &&
			for e in '$CORPUS/expected/$b'.*.all.top; do
				t=\${e#'$CORPUS/expected/$b'.} && t=\${t%.all.top} &&
				go tool pprof -top -symbolize=none -nodefraction=0 \
				    -sample_index=\$t c.pb.gz >actual 2>/dev/null &&
				test_cmp \"\$e\" actual &&
				n=\$((n + 1)) || return 1
			done &&
			test \$n -gt 0
		"
	done
fi

if ! test_have_prereq GO; then
	test_skip 'go tool pprof on written profiles' 'needs go and the workload (make go-progs)'
	test_done
fi

test_setup 'two processes of the workload: heap profiles, two CPU windows' '
	start_server W workload -leak 4194304 -churn 8388608 -cpu 0.5 \
	    -memprofilerate 1 &&
	curl -sf -o p1h1.pb.gz "$W/debug/pprof/heap?gc=1" &&
	curl -sf -o cpu1.pb.gz "$W/debug/pprof/profile?seconds=1" &&
	curl -sf -o cpu2.pb.gz "$W/debug/pprof/profile?seconds=1" &&
	curl -sf -o p1h2.pb.gz "$W/debug/pprof/heap?gc=1" &&
	stop_servers &&
	start_server W workload -leak 4194304 -churn 8388608 -memprofilerate 1 &&
	curl -sf -o p2h1.pb.gz "$W/debug/pprof/heap?gc=1" &&
	sleep 1 &&
	curl -sf -o p2h2.pb.gz "$W/debug/pprof/heap?gc=1" &&
	stop_servers
'

# same NAME PPROF-OPTIONS -- FILE -- ORIGINALS: go tool pprof -top prints
# the same for the written FILE as for the original profiles.
same() {
	_n=$1
	shift
	_o=''
	while [ "$1" != -- ]; do _o="$_o $1"; shift; done
	shift
	_f=$1
	shift 2
	test_expect_success "$_n" "
		go tool pprof -top -symbolize=none $_o $_f >actual 2>err &&
		go tool pprof -top -symbolize=none $_o $* >expect 2>/dev/null &&
		test_cmp expect actual &&
		grep 'of .* total' actual >&2
	"
}

test_expect_success 'write the merged CPU profile, the peak, the allocation, the A-vs-B' '
	pprof-decode cpu1.pb.gz cpu2.pb.gz >cpu.stream &&
	pprof-encode -o cpu.pb.gz cpu.stream &&
	pprof-decode p1h2.pb.gz >peak.stream &&
	pprof-encode -o peak.pb.gz peak.stream &&
	pprof-decode p1h1.pb.gz p2h1.pb.gz >firsts.stream &&
	pprof-decode p1h2.pb.gz p2h2.pb.gz >lasts.stream &&
	pprof-encode -b firsts.stream -o alloc.pb.gz lasts.stream &&
	pprof-decode p2h2.pb.gz >b.stream &&
	pprof-encode --diff-base peak.stream -o diff.pb.gz b.stream
'

same 'merged CPU: go tool pprof -top as on the two windows' -- cpu.pb.gz -- \
    cpu1.pb.gz cpu2.pb.gz
same 'merged CPU, samples, every node' -sample_index=samples -nodefraction=0 \
    -- cpu.pb.gz -- cpu1.pb.gz cpu2.pb.gz
for t in inuse_space inuse_objects alloc_space alloc_objects; do
	same "heap at the peak, $t" -sample_index=$t -- peak.pb.gz -- p1h2.pb.gz
	same "A-vs-B, $t: go tool pprof -top as with -diff_base" \
	    -sample_index=$t -- diff.pb.gz -- -diff_base p1h2.pb.gz p2h2.pb.gz
done

test_expect_success 'merged CPU: what pprof-top --format pprof prints for the stream' '
	go tool pprof -top -symbolize=none cpu.pb.gz >expect 2>/dev/null &&
	pprof-top --format pprof cpu.stream >actual &&
	test_cmp expect actual
'

# pprof_total FILE OPTIONS: the "of N total" of go tool pprof -top -unit=B.
pprof_total() {
	_f=$1
	shift
	go tool pprof -top -symbolize=none -unit=B "$@" "$_f" 2>/dev/null |
	    sed -n 's/.* of \([0-9-]*\)B total$/\1/p'
}

test_expect_success 'allocation during the test: the total is the series'"'"' alloc_space_during' '
	pprof-decode p1h1.pb.gz p1h2.pb.gz p2h1.pb.gz p2h2.pb.gz >all.stream &&
	pprof-series -t alloc_space <all.stream >series.tsv &&
	grep "^##restarts	1$" series.tsv &&
	sed -n "s/^##alloc_space_during	//p" series.tsv >expect &&
	pprof_total alloc.pb.gz -sample_index=alloc_space >actual &&
	test -s actual &&
	test_cmp expect actual
'

# pprof_flat FILE OPTIONS: "function<TAB>flat" per function of go tool
# pprof -top with every node, in bytes, flat not 0, sorted.
pprof_flat() {
	_f=$1
	shift
	go tool pprof -top -symbolize=none -nodefraction=0 -unit=B "$@" "$_f" \
	    2>/dev/null | sed -n '/^ *flat  *flat%/,$p' | sed 1d |
	    awk '{
		f = $1; sub(/B$/, "", f); n = $0
		sub(/^ *[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+  /, "", n)
		sub(/ \((partial-)?inline\)$/, "", n)
		if (f != 0) print n "\t" f
	    }' | sort
}

test_expect_success 'allocation during the test: per function as pprof-diff of firsts and lasts' '
	pprof-diff -t alloc_space firsts.stream lasts.stream >diff.tsv &&
	grep -v "^#" diff.tsv | awk -F"\t" "\$3 != 0 { print \$9 \"\t\" \$3 }" |
	    sort >expect &&
	pprof_flat alloc.pb.gz -sample_index=alloc_space >actual &&
	test "$(wc -l <actual)" -gt 10 &&
	test_cmp expect actual
'

test_expect_success 'A-vs-B: pprof shows it as a diff, of the base'"'"'s total, flat B - A' '
	pprof-diff -t inuse_space peak.stream b.stream >diff.tsv &&
	sed -n "s/^##total_a	//p" diff.tsv >expect &&
	pprof_total diff.pb.gz -sample_index=inuse_space >actual &&
	test_cmp expect actual &&
	go tool pprof -top -symbolize=none -nodefraction=0 -unit=B \
	    -sample_index=inuse_space diff.pb.gz >top 2>/dev/null &&
	sed -n "s/^Showing nodes accounting for \([0-9-]*\)B, .*/\1/p" top >actual &&
	sed -n "s/^##total_delta	//p" diff.tsv >expect &&
	test_cmp expect actual
'

test_done
