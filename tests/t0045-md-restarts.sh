#!/bin/sh
test_description='md-report: a restart run summed per process, leak suspects above the noise, the profiler apart'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"
. "$TESTS/lib-wrapper.sh"

MiB=1048576
PROF='net/http/pprof.handler.ServeHTTP;runtime/pprof.(*profileBuilder).build;compress/flate.NewWriter'

# profile I T PROCESS: heap profile I at T seconds, of process PROCESS
# (1 or 2; the second starts its allocation again from 0).
# - main.leak holds 10 MiB more every 10 s (60 MiB a minute), from 50
#   MiB in the first process and from 1 MiB in the second, so its last
#   value is below its first;
# - main.tiny grows by 518 kB over the run, bytes.growSlice by 1 B, and
#   main.steady stays at 5 MiB: none is a suspect;
# - the profiler (net/http/pprof, runtime/pprof, compress/flate under
#   them) holds 2 MiB more every profile and allocates 8 MiB a profile.
profile() {
	k=$1 p=$3
	j=$((p == 1 ? k : k - 5))
	base=$((p == 1 ? 50 : 1))
	heap_spec "$(at "$2")" /manager \
	    main.leak $(((j + 1) * 12 * MiB))/$(((base + 10 * j) * MiB)) \
	    main.tiny $(((j + 1) * MiB))/$((k * 66355)) \
	    bytes.growSlice $(((j + 1) * 4096))/$((4096 + k / 9)) \
	    main.steady $(((j + 1) * 2 * MiB))/$((5 * MiB)) \
	    "$PROF" $(((j + 1) * 8 * MiB))/$(((k + 1) * 2 * MiB)) |
	    pbwrite >"$E2E_PROFILE_DIR/r/web/heap$k.pprof"
}

test_setup 'a run whose process restarted after five profiles' '
	mkdir -p "$E2E_PROFILE_DIR/r/web" &&
	for k in 0 1 2 3 4; do
		profile $k $((5 + 10 * k)).00$k 1 || return 1
	done &&
	for k in 5 6 7 8 9; do
		profile $k $((15 + 10 * k)).00$k 2 || return 1
	done &&
	for k in 0 1 2; do
		cpu_spec "$(at $((5 + 30 * k)))" 2000000000 main.work 600000000 \
		    "runtime/pprof.profileWriter" 200000000 |
		    pbwrite >"$E2E_PROFILE_DIR/r/web/cpu$k.pprof" || return 1
	done &&
	run_tsv_of "$E2E_PROFILE_DIR/r" r 120 &&
	dash "$E2E" analyze r >/dev/null 2>&1 &&
	report=$E2E_PROFILE_DIR/r/analysis.md &&
	test -s "$report"
'

report=$E2E_PROFILE_DIR/r/analysis.md

test_expect_success 'the summary counts one restart and sums growth per process' '
	grep "^| web |" "$report" | cut -d"|" -f3,4,6,10 >got &&
	echo " 105.26MB at 45s | +96.51MB summed over 2 processes (57MB → 66.57MB) | 184.03MB | 1 " >expect &&
	test_cmp expect got
'

test_expect_success 'the allocation table covers every process: its total is the summary' '
	grep "^### web: allocated during the test" "$report" >got &&
	echo "### web: allocated during the test (184.03MB in all, summed over 2 processes)" >expect &&
	test_cmp expect got &&
	sed -n "/^### web: allocated during the test/,/^## /p" "$report" | grep "^| [0-9]" >rows &&
	cut -d"|" -f3,4 rows >got &&
	cat >expect <<-\EOT &&
	 main.leak | 96MB 
	 main.tiny | 8MB 
	 main.steady | 16MB 
	 bytes.growSlice | 32kB 
	EOT
	sort expect >e && sort got >g && test_cmp e g &&
	grep "^34.8% of it is the profiler.s" "$report"
'

test_expect_success 'the leak of both processes is the first suspect; nothing below the floor is one' '
	sed -n "/^## Growth and leak suspects/,/^## Top CPU/p" "$report" >growth &&
	grep "^| main\\|^| bytes\\|^| runtime\\|^| net\\|^| compress" growth >rows &&
	echo "| main.leak | 50MB | 90MB | 41MB | +80MB | +59.99MB/min | 100% of intervals |" >expect &&
	test_cmp expect rows &&
	grep "^2 other functions grew, by less or less steadily: noise, not listed.\$" growth &&
	grep "Top suspects: \`main.leak\` (+80MB)\\." "$report"
'

test_expect_success 'the profiler is one overhead line, in no category, suspect or recommendation' '
	grep "^- web: " "$report" >got &&
	echo "- web: 9.5% of the peak heap, 34.8% of the allocation during the test, 25.0% of the sampled CPU" >expect &&
	test_cmp expect got &&
	sed -n "/^## Hotspots/,/^## Growth/p" "$report" >hot &&
	grep "^| " hot >rows &&
	! grep -q "^| profiler \\|^| protobuf | [1-9]\\|^| other | 0.0%" rows &&
	! grep -q "flate\\|pprof" growth &&
	sed -n "/^## Recommendations/,\$p" "$report" >rec &&
	! grep -q "pprof\\|protobuf" rec
'

test_expect_success 'the profiler is marked in the tables that list functions' '
	grep "runtime/pprof.profileWriter" "$report" >got &&
	grep -c " \\*(profiler)\\* |" got >n &&
	test "$(cat n)" = 1
'

test_expect_success 'without heap profiles, restarts are unknown' '
	mkdir -p "$E2E_PROFILE_DIR/c/web" &&
	cp "$E2E_PROFILE_DIR"/r/web/cpu*.pprof "$E2E_PROFILE_DIR/c/web/" &&
	run_tsv_of "$E2E_PROFILE_DIR/c" c 120 &&
	dash "$E2E" analyze c >/dev/null 2>&1 &&
	grep "^| web |" "$E2E_PROFILE_DIR/c/analysis.md" >row &&
	echo "| web | - | - | - | - | 2.40s (6s of 2m00s sampled; ≈48s over the run) | 0.40 / 0.40 | - | unknown |" >expect &&
	test_cmp expect row
'

# Numbers are rounded once, for display: 1868.59 B is 1.82kB (not 1869 B's
# 1.83kB), and 0.2451 cores is 0.25 (not 0.245's 0.24).
test_expect_success 'scaled after rounding no more: units and cores rounded once' '
	rm -rf "$E2E_PROFILE_DIR/n" && cp -r "$E2E_PROFILE_DIR/r" "$E2E_PROFILE_DIR/n" &&
	a=$E2E_PROFILE_DIR/n/analysis &&
	sed -i "s/^##slope_per_min	.*/##slope_per_min	1868.590/" "$a/web.heap.series.tsv" &&
	sed -i "s/^##cpu_ns	.*/##cpu_ns	1470600000/; s/^##duration_ns	.*/##duration_ns	6000000000/" "$a/web.cpu.series.tsv" &&
	md-report analysis "$E2E_PROFILE_DIR/n" >n.md &&
	grep "^| web |" n.md | cut -d"|" -f5,8 >got &&
	echo " +1.82kB/min (R² 1.00) | 0.25 / 0.40 " >expect &&
	test_cmp expect got
'

test_done
