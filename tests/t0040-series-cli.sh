#!/bin/sh
test_description='pprof-series: rows, summary, restarts, slope, categories, growth table and bad input'
. "$(dirname "$0")/lib.sh"

# block SOURCE SECONDS [BUILD_ID]: a heap profile block of the sample
# stream, timed SECONDS after 1700000000; its rows come on stdin as
# "alloc_objects alloc_space inuse_objects inuse_space stack".
block() {
	printf '##profile\t%s\n##time\t%s000000000\t-\n##duration\t0\n' \
	    "$1" $((1700000000 + $2))
	printf '##period\t524288\tspace\tbytes\n##default_type\tinuse_space\n'
	printf '##file\t/manager\n##build_id\t%s\n' "${3:-b1}"
	printf '#alloc_objects/count\talloc_space/bytes\tinuse_objects/count'
	printf '\tinuse_space/bytes\tsite\tlabels\tstack\n'
	while read -r ao as io is stack; do
		printf '%s\t%s\t%s\t%s\t0\t\t%s\n' "$ao" "$as" "$io" "$is" "$stack"
	done
}

# S1 leaks under JSON; S2 is steady; S3 is JSON inlined into YAML (the
# inline mark must not stop the match); S4 has two JSON frames under an
# informer and counts once in JSON.
S1='main.main;encoding/json.Unmarshal;main.leak'
S2='main.main;main.steady'
S3='main.main;sigs.k8s.io/yaml.Unmarshal;encoding/json.Unmarshal_[i]'
S4='main.main;k8s.io/client-go/tools/cache.(*Reflector).watch;encoding/json.Unmarshal;encoding/json.(*decodeState).object'

test_setup 'a heap series: three profiles, a restart, two more' '
	{
	block heap0.pprof 0 <<-EOT &&
	1 100 1 100 $S1
	1 1000 1 1000 $S2
	2 50 0 0 $S3
	1 10 1 10 $S4
	EOT
	block heap1.pprof 60 <<-EOT &&
	2 300 2 300 $S1
	1 1000 1 1000 $S2
	4 100 0 0 $S3
	1 10 1 10 $S4
	EOT
	block heap2.pprof 120 <<-EOT &&
	3 600 3 500 $S1
	1 1000 1 1000 $S2
	6 150 1 20 $S3
	1 10 1 10 $S4
	EOT
	block heap3.pprof 180 <<-EOT &&
	1 100 1 100 $S1
	1 1000 1 1000 $S2
	EOT
	block heap4.pprof 240 <<-EOT
	2 300 2 300 $S1
	1 1000 1 1000 $S2
	EOT
	} >series &&
	test "$(grep -c "^##profile" series)" = 5
'

test_expect_success 'rows: totals of every type, categories, then the summary' '
	pprof-series series >actual &&
	cat >expect <<-\EOT &&
	##series	heap
	##type	inuse_space
	##unit	bytes
	##categories	built-in
	#seq	time_ns	elapsed_ns	segment	duration_ns	alloc_objects/count	alloc_space/bytes	inuse_objects/count	inuse_space/bytes	cat:OpenAPI	cat:JSON	cat:YAML	cat:protobuf	cat:informer/cache	cat:reflection	cat:regexp	cat:logging	cat:TLS/crypto	cat:runtime/GC	cat:profiler	cat:other	source
	0	1700000000000000000	0	0	0	5	1160	3	1110	0	110	0	0	10	0	0	0	0	0	0	1000	heap0.pprof
	1	1700000060000000000	60000000000	0	0	8	1410	4	1310	0	310	0	0	10	0	0	0	0	0	0	1000	heap1.pprof
	2	1700000120000000000	120000000000	0	0	11	1760	6	1530	0	530	20	0	10	0	0	0	0	0	0	1000	heap2.pprof
	3	1700000180000000000	180000000000	1	0	2	1100	2	1100	0	100	0	0	0	0	0	0	0	0	0	1000	heap3.pprof
	4	1700000240000000000	240000000000	1	0	3	1300	3	1300	0	300	0	0	0	0	0	0	0	0	0	1000	heap4.pprof
	##profiles	5
	##segments	2
	##restarts	1
	##restart_seqs	3
	##first_time_ns	1700000000000000000
	##last_time_ns	1700000240000000000
	##span_ns	240000000000
	##first	1110
	##last	1300
	##growth	620
	##peak	1530
	##peak_seq	2
	##peak_time_ns	1700000120000000000
	##slope_per_min	208.000
	##slope_r2	0.9990
	##alloc_objects_during	7
	##alloc_space_during	800
	EOT
	test_cmp expect actual
'

# Segment 1: 1110 1310 1530 at 0 1 2 min; segment 2: 1100 1300 at 3 4.
# One line with an intercept per segment: (420 + 100) / (2 + 0.5) = 208.
# Growth is per process too: (1530 - 1110) + (1300 - 1100) = 620.
test_expect_success 'the slope ignores the drop at the restart' '
	grep "^##slope_per_min" actual >got &&
	printf "##slope_per_min\t208.000\n" >expect &&
	test_cmp expect got
'

test_expect_success 'allocation during the run: last - first per segment, summed' '
	grep "^##alloc_space_during" actual >got &&
	printf "##alloc_space_during\t%s\n" $(( (1760 - 1160) + (1300 - 1100) )) >expect &&
	test_cmp expect got
'

test_expect_success '--summary: the same summary as a key/value table' '
	pprof-series --summary series >actual &&
	pprof-series series >full &&
	{
		printf "##series\theap\n##type\tinuse_space\n##unit\tbytes\n#key\tvalue\n" &&
		sed -n "s/^##\(.*\)/\1/p" full | sed 1,4d
	} >expect &&
	test_cmp expect actual &&
	pprof-series -s series >actual2 &&
	test_cmp actual actual2
'

test_expect_success '-t picks the type the summary and categories are of' '
	pprof-series -t alloc_space series >actual &&
	grep -v "^#" actual | cut -f1,11,21 >got &&
	printf "0\t160\t1000\n1\t410\t1000\n2\t760\t1000\n3\t100\t1000\n4\t300\t1000\n" >expect &&
	test_cmp expect got &&
	grep "^##peak	" actual >got &&
	printf "##peak\t1760\n" >expect &&
	test_cmp expect got
'

test_expect_success 'several files are one series, in the order given' '
	sed -n "/^##profile	heap3/,\$p" series >late &&
	sed "/^##profile	heap3/,\$d" series >early &&
	pprof-series series >expect &&
	pprof-series early late >actual &&
	test_cmp expect actual &&
	cat late | pprof-series early - >actual &&
	test_cmp expect actual
'

test_expect_success 'a new binary is a restart even when totals grow' '
	{
		block a 0 b1 <<-EOT &&
		1 100 1 100 $S1
		EOT
		block b 60 b2 <<-EOT
		2 200 2 200 $S1
		EOT
	} >upgrade &&
	pprof-series -s upgrade >actual &&
	grep -E "^(segments|restart_seqs|alloc_space_during)	" actual >got &&
	printf "segments\t2\nrestart_seqs\t1\nalloc_space_during\t0\n" >expect &&
	test_cmp expect got
'

test_expect_success 'one profile: no slope, no restarts' '
	sed "/^##profile	heap1/,\$d" series >one &&
	pprof-series -s one >actual &&
	grep -E "^(profiles|restarts|slope_per_min|slope_r2|alloc_space_during)	" actual >got &&
	printf "profiles\t1\nrestarts\t0\nslope_per_min\t-\nslope_r2\t-\nalloc_space_during\t0\n" >expect &&
	test_cmp expect got
'

# Growth and allocation are summed per process: main.leak grows 100 to
# 500, then 100 to 300 (600), and allocates 100 to 600, then 100 to 300
# (700). decodeState.object stays at 10 in the first process and is absent
# from the second: no growth, where last minus first would say -10.
test_expect_success '--growth: per-function leak suspects, sorted by slope' '
	pprof-series --growth series >actual &&
	cat >expect <<-\EOT &&
	##series	heap
	##type	inuse_space
	##unit	bytes
	##value	flat
	##profiles	5
	##intervals	3
	#first	at_peak	max	last	growth	slope_per_min	grew%	alloc_during	alloc_during_cum	function
	100	500	500	300	600	200.000	100.00	700	700	main.leak
	0	20	20	0	20	8.000	33.33	100	800	encoding/json.Unmarshal
	10	10	10	0	0	0.000	0.00	0	0	encoding/json.(*decodeState).object
	1000	1000	1000	1000	0	0.000	0.00	0	0	main.steady
	EOT
	test_cmp expect actual
'

test_expect_success '--growth --cum: every function of the stacks, recursion once' '
	pprof-series -g --cum series >actual &&
	grep -v "^#" actual | cut -f1,4,6,10 >got &&
	cat >expect <<-\EOT &&
	110	300	208.000	encoding/json.Unmarshal
	1110	1300	208.000	main.main
	100	300	200.000	main.leak
	0	0	8.000	sigs.k8s.io/yaml.Unmarshal
	10	0	0.000	encoding/json.(*decodeState).object
	10	0	0.000	k8s.io/client-go/tools/cache.(*Reflector).watch
	1000	1000	0.000	main.steady
	EOT
	test_cmp expect got
'

test_expect_success 'a CPU series: cores per window, mean and peak' '
	for i in 0 1; do
		printf "##profile\tcpu%s.pprof\n##time\t%s\t-\n" $i $((1700000000000000000 + i * 10000000000)) &&
		printf "##duration\t10000000000\n##period\t10000000\tcpu\tnanoseconds\n" &&
		printf "#samples/count\tcpu/nanoseconds\tsite\tlabels\tstack\n" &&
		printf "%s\t%s\t0\t\tmain.main;runtime.mallocgc\n" $((100 + 200 * i)) $((1000000000 + 2000000000 * i)) &&
		printf "%s\t%s\t1\t\tmain.main;main.burn\n" 400 4000000000 || exit 1
	done >cpu &&
	pprof-series cpu >actual &&
	grep -v "^##" actual | cut -f5-8,18- >got &&
	cat >expect <<-\EOT &&
	duration_ns	samples/count	cpu/nanoseconds	cores	cat:runtime/GC	cat:profiler	cat:other	source
	10000000000	500	5000000000	0.500000	1000000000	0	4000000000	cpu0.pprof
	10000000000	700	7000000000	0.700000	3000000000	0	4000000000	cpu1.pprof
	EOT
	test_cmp expect got &&
	pprof-series -s cpu >got.raw && sed -n "/^cpu_ns/,\$p" got.raw >got &&
	cat >expect <<-\EOT &&
	cpu_ns	12000000000
	duration_ns	20000000000
	cores_mean	0.600000
	cores_peak	0.700000
	cores_peak_seq	1
	EOT
	test_cmp expect got
'

# The profiler's own work: a protobuf encoder under runtime/pprof, and
# compress/flate under net/http/pprof. Neither is the service's.
P1='main.main;net/http/pprof.handler.ServeHTTP;runtime/pprof.(*profileBuilder).build;compress/flate.NewWriter'
P2='main.main;runtime/pprof.writeHeap;github.com/google/pprof/profile.(*protobuf).encode'
test_expect_success 'the profiler counts in its category alone, and --growth leaves it out' '
	{
		block p0 0 <<-EOT &&
		1 100 1 100 $S1
		1 1000 1 1000 $P1
		1 500 1 500 $P2
		EOT
		block p1 60 <<-EOT
		2 300 2 300 $S1
		2 5000 1 3000 $P1
		2 900 1 900 $P2
		EOT
	} >prof &&
	pprof-series prof >actual &&
	grep -v "^##" actual | cut -f9,11,13,20- >got &&
	cat >expect <<-\EOT &&
	inuse_space/bytes	cat:JSON	cat:protobuf	cat:profiler	cat:other	source
	1600	100	0	1500	0	p0
	4200	300	0	3900	0	p1
	EOT
	test_cmp expect got &&
	pprof-series -g prof >actual &&
	grep -v "^##" actual | cut -f5,8- >got &&
	cat >expect <<-\EOT &&
	growth	alloc_during	alloc_during_cum	function
	200	200	200	main.leak
	EOT
	test_cmp expect got
'

test_expect_success 'sums that overflow 64 bits are refused' '
	block h0 0 >huge <<-EOT &&
	1 9223372036854775807 1 9223372036854775807 $S1
	1 9223372036854775807 1 9223372036854775807 $S2
	EOT
	test_expect_code 1 pprof-series huge >out 2>err &&
	echo "pprof-series: huge: values overflow a 64-bit sum" >expect &&
	test_cmp expect err &&
	test_must_be_empty out &&
	test_expect_code 1 pprof-series -g huge >out 2>err &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'a goroutine series: the count per profile and its slope' '
	for i in 0 1 2; do
		printf "##profile\tgoroutine%s.pprof\n##time\t%s\t-\n" $i $((1700000000000000000 + i * 30000000000)) &&
		printf "##period\t1\tgoroutine\tcount\n#goroutine/count\tsite\tlabels\tstack\n" &&
		printf "%s\t0\t\tmain.main;main.worker\n3\t1\t\truntime.main;main.main\n" $((2 + 2 * i)) || exit 1
	done >gor &&
	pprof-series gor >actual &&
	grep -v "^#" actual | cut -f1,3,6 >got &&
	printf "0\t0\t5\n1\t30000000000\t7\n2\t60000000000\t9\n" >expect &&
	test_cmp expect got &&
	grep -E "^##(series|slope_per_min|slope_r2|peak)	" actual >got &&
	printf "##series\tgoroutine\n##peak\t9\n##slope_per_min\t4.000\n##slope_r2\t1.0000\n" >expect &&
	test_cmp expect got
'

test_expect_success 'the built-in categories are lib/categories.tsv' '
	pprof-series --list-categories >actual &&
	grep -v "^#" "$TEST_ROOT/lib/categories.tsv" | grep -v "^\$" >expect &&
	test_cmp expect actual &&
	test "$(wc -l <actual)" = 11
'

test_expect_success '--categories replaces the table; names match unescaped, without the inline mark' '
	printf "# mine\n\nleak\tleak\$\nsemi\ta;b\$\njson-inl\t^encoding/json\\\\.Unmarshal\$\n" >cats.tsv &&
	{
		block x 0 <<-EOT
		0 0 0 7 main.main;a\\;b
		0 0 0 5 main.main;main.leak
		0 0 0 3 $S3
		0 0 0 2 main.main;main.other
		EOT
	} >odd &&
	pprof-series --categories cats.tsv odd >actual &&
	grep "^##categories" actual >got &&
	printf "##categories\tcats.tsv\n" >expect &&
	test_cmp expect got &&
	grep -v "^##" actual | cut -f10- >got &&
	cat >expect <<-\EOT &&
	cat:leak	cat:semi	cat:json-inl	cat:other	source
	5	7	3	2	x
	EOT
	test_cmp expect got &&
	pprof-series --categories cats.tsv --list-categories >actual &&
	printf "leak\tleak\$\nsemi\ta;b\$\njson-inl\t^encoding/json\\\\.Unmarshal\$\n" >expect &&
	test_cmp expect actual
'

# check_cats_bad FILE-CONTENT MESSAGE: exit 2, that message, no output.
check_cats_bad() {
	printf "$1" >bad.tsv &&
	test_expect_code 2 pprof-series --categories bad.tsv series >out 2>err &&
	echo "pprof-series: bad.tsv:$2" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
}

test_expect_success 'a category file with a bad regex: file:line, exit 2' '
	printf "ok\tjson\nbad\tfoo(\n" >bad.tsv &&
	test_expect_code 2 pprof-series --categories bad.tsv series >out 2>err &&
	grep "^pprof-series: bad.tsv:2: bad regular expression \"foo(\": ." err &&
	test "$(wc -l <err)" = 1 &&
	test_must_be_empty out
'

test_expect_success 'category files: missing tab, empty pattern, reserved and duplicate names' '
	check_cats_bad "json\n" "1: expected a name, a tab and a pattern" &&
	check_cats_bad "a\tb\tc\n" "1: expected a name, a tab and a pattern" &&
	check_cats_bad "# c\njson\t\n" "2: empty pattern" &&
	check_cats_bad "other\tx\n" "1: the name other is reserved for samples no category matches" &&
	check_cats_bad "a\tx\na\ty\n" "2: category a defined twice"
'

test_expect_success 'a missing category file is a usage error' '
	test_expect_code 2 pprof-series --categories nosuch.tsv series >out 2>err &&
	echo "pprof-series: nosuch.tsv: No such file or directory" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'profiles of different kinds are refused, with nothing written' '
	cat series gor >mixed &&
	test_expect_code 1 pprof-series mixed >out 2>err &&
	n=$(grep -n "^#goroutine" mixed | head -1 | cut -d: -f1) &&
	echo "pprof-series: mixed:$n: profile block goroutine0.pprof has sample types goroutine, unlike the first block (alloc_objects, alloc_space, inuse_objects, inuse_space): a series holds one kind of profile" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'out-of-order profiles are refused with the line, not sorted' '
	sed -n "/^##profile	heap2/,/^##profile	heap3/p" series | sed "\$d" >h2 &&
	sed -n "/^##profile	heap1/,/^##profile	heap2/p" series | sed "\$d" >h1 &&
	cat h2 h1 >swapped &&
	test_expect_code 1 pprof-series swapped >out 2>err &&
	n=$(grep -n "^#alloc" swapped | sed -n 2p | cut -d: -f1) &&
	echo "pprof-series: swapped:$n: profile block heap1.pprof is older than the one before it (heap2.pprof): profiles must be in time order (sort the files, e.g. with ls -v)" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'a profile without a time is refused' '
	sed "s/^##time	.*/##time	0	-/" h1 >notime &&
	test_expect_code 1 pprof-series notime >out 2>err &&
	echo "pprof-series: notime:8: profile block heap1.pprof has no time: a series needs the time of every profile" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'an empty stream' '
	: >empty &&
	test_expect_code 1 pprof-series empty >out 2>err &&
	echo "pprof-series: empty: empty stream: no profile blocks" >expect &&
	test_cmp expect err &&
	test_must_be_empty out &&
	test_expect_code 1 pprof-series <empty 2>err &&
	echo "pprof-series: stdin: empty stream: no profile blocks" >expect &&
	test_cmp expect err
'

test_expect_success 'not a sample stream, and a truncated one' '
	printf "seq\ttime\n" >notstream &&
	test_expect_code 1 pprof-series notstream >out 2>err &&
	echo "pprof-series: notstream:1: not a sample stream (expected a ##profile line; is this pprof-decode output?)" >expect &&
	test_cmp expect err &&
	test_must_be_empty out &&
	sed "s/^##build_id	b1/&\n##samples	9/" h1 >trunc &&
	test_expect_code 1 pprof-series trunc >out 2>err &&
	grep "^pprof-series: trunc:[0-9]*: profile block heap1.pprof declares 9 samples but has 4 (truncated stream?)$" err &&
	test_must_be_empty out
'

test_expect_success 'a -t the stream lacks names the types it has' '
	test_expect_code 1 pprof-series -t cpu series >out 2>err &&
	echo "pprof-series: series: no sample type cpu (the profile has: alloc_objects, alloc_space, inuse_objects, inuse_space)" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 pprof-series --bogus series 2>err &&
	grep "^usage: pprof-series" err &&
	test_expect_code 2 pprof-series -s -g series 2>err &&
	echo "pprof-series: --summary, --growth and --list-categories exclude each other" >expect &&
	test_cmp expect err &&
	test_expect_code 2 pprof-series --cum series 2>err &&
	echo "pprof-series: --cum applies only to --growth" >expect &&
	test_cmp expect err &&
	pprof-series --help >out &&
	grep "^usage: pprof-series" out &&
	pprof-series --version >out &&
	grep "^pprof-series [0-9]" out
'

test_done
