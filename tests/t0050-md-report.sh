#!/bin/sh
test_description='md-report: analysis and comparison reports from fixed profiles, byte for byte'
. "$(dirname "$0")/lib.sh"

# heap_profile SEQ [LEAK JSON]: a heap profile SEQ*10 s into a run. A
# leak grows by LEAK bytes per profile (1 MiB), OpenAPI models stay at
# 4 MiB, informer caches at 2 MiB; JSON allocates JSON bytes per profile
# (3 MiB) and frees them.
heap_profile() {
	seq=$1
	leak=$((${2:-1048576} * (seq + 1)))
	json=$((${3:-3145728} * (seq + 1)))
	cat <<-EOT
	1 {
	  1 varint 1
	  2 varint 2
	}
	1 {
	  1 varint 3
	  2 varint 4
	}
	1 {
	  1 varint 5
	  2 varint 2
	}
	1 {
	  1 varint 6
	  2 varint 4
	}
	2 {
	  1 packed 2 1
	  2 packed $((seq + 1)) $leak $((seq + 1)) $leak
	}
	2 {
	  1 packed 3 1
	  2 packed 4 4194304 4 4194304
	}
	2 {
	  1 packed 4 1
	  2 packed 2 2097152 2 2097152
	}
	2 {
	  1 packed 5 1
	  2 packed $((3 * (seq + 1))) $json 0 0
	}
	3 {
	  1 varint 1
	  5 varint 12
	}
	$(loc_spec 1 1)
	$(loc_spec 2 2)
	$(loc_spec 3 3)
	$(loc_spec 4 4)
	$(loc_spec 5 5)
	$(func_spec 1 7)
	$(func_spec 2 8)
	$(func_spec 3 9)
	$(func_spec 4 10)
	$(func_spec 5 11)
	6 string
	6 string alloc_objects
	6 string count
	6 string alloc_space
	6 string bytes
	6 string inuse_objects
	6 string inuse_space
	6 string main.main
	6 string main.leakyCache
	6 string k8s.io/kube-openapi/pkg/validation/spec.(*Schema).UnmarshalJSON
	6 string k8s.io/client-go/tools/cache.(*threadSafeMap).Add
	6 string encoding/json.Unmarshal
	6 string /manager
	9 varint $((1795000000000000000 + seq * 10000000000))
	14 varint 7
	EOT
}

cpu_profile() {
	seq=$1
	cat <<-EOT
	1 {
	  1 varint 1
	  2 varint 2
	}
	1 {
	  1 varint 3
	  2 varint 4
	}
	2 {
	  1 packed 1
	  2 packed $((20 + seq * 10)) $((200000000 + seq * 100000000))
	}
	2 {
	  1 packed 2 1
	  2 packed 30 300000000
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
	  2 varint 5
	}
	5 {
	  1 varint 2
	  2 varint 6
	}
	6 string
	6 string samples
	6 string count
	6 string cpu
	6 string nanoseconds
	6 string main.main
	6 string example.com/a/very/long/module/path/that/goes/on/pkg/internal/controller.(*Controller).reconcile|x
	9 varint $((1795000000000000000 + seq * 10000000000))
	10 varint 2000000000
	EOT
}

loc_spec() {
	printf '4 {\n1 varint %s\n2 varint 1\n4 {\n1 varint %s\n}\n}\n' "$1" "$2"
}

func_spec() {
	printf '5 {\n1 varint %s\n2 varint %s\n}\n' "$1" "$2"
}

# analyze RUN UNIT: what the wrapper's analyze step runs.
analyze() {
	a=$1/analysis u=$2
	mkdir -p "$a" &&
	pprof-decode "$1/$u"/heap0.pprof "$1/$u"/heap1.pprof \
	    "$1/$u"/heap2.pprof >"$a/heap.stream" &&
	pprof-series "$a/heap.stream" >"$a/$u.heap.series.tsv" &&
	pprof-series -t alloc_space "$a/heap.stream" >"$a/$u.heap.alloc.series.tsv" &&
	pprof-series -g "$a/heap.stream" >"$a/$u.heap.growth.tsv" &&
	pprof-decode "$1/$u/heap2.pprof" >"$a/last.stream" &&
	pprof-top -t inuse_space "$a/last.stream" >"$a/$u.heap.peak.tsv" &&
	pprof-decode "$1/$u/heap0.pprof" >"$a/first.stream" &&
	pprof-diff -t alloc_space "$a/first.stream" "$a/last.stream" \
	    >"$a/$u.heap.alloc.tsv" &&
	pprof-decode "$1/$u"/cpu0.pprof "$1/$u"/cpu1.pprof >"$a/cpu.stream" &&
	pprof-series "$a/cpu.stream" >"$a/$u.cpu.series.tsv" &&
	pprof-top -t cpu "$a/cpu.stream" >"$a/$u.cpu.top.tsv" &&
	rm "$a"/*.stream
}

test_setup 'build two runs from fixed profiles' '
	for run in a b; do
		mkdir -p $run/manager &&
		for s in 0 1 2; do
			if [ $run = a ]; then
				heap_profile $s
			else
				heap_profile $s 262144 6291456
			fi | pbwrite >$run/manager/heap$s.pprof || return 1
		done &&
		for s in 0 1; do
			cpu_profile $s | pbwrite >$run/manager/cpu$s.pprof || return 1
		done &&
		printf "#key\tvalue\nname\t%s\ntarget\ttest-e2e\nexit_status\t0\nstarted\t2026-11-18T11:06:35Z\nended\t2026-11-18T11:07:35Z\nduration_s\t60\nnamespace\tolmv1-system\ninterval\t10\ncpu_duration\t2\nmode\tboth\ntransport\tport-forward\nunits\tmanager idle\n" $run >$run/run.tsv &&
		printf "#time\ttarget\tkind\tseq\toutcome\tstatus\tbytes\tms\tfile_or_error\n2026-11-18T11:06:40.000Z\tmanager-abc\theap\t0\tok\t200\t900\t12\tmanager/heap0.pprof\n2026-11-18T11:06:50.000Z\tmanager-abc\theap\t1\terror\t0\t0\t3\tconnection refused\n2026-11-18T11:07:00.000Z\tmanager-abc\theap\t2\tok\t200\t950\t11\tmanager/heap2.pprof\n" >$run/collection.log &&
		analyze $run manager || return 1
	done &&
	printf "# e2e summary\n\n## Alerts\n\n- none fired\n\n## Other\nx\n" >a/e2e-summary.md
'

test_expect_success 'the analysis report is what it was (golden file)' '
	md-report analysis a >analysis.md &&
	test_cmp "$TESTS/golden/analysis.md" analysis.md
'

test_expect_success 'the report is deterministic' '
	md-report analysis a >again &&
	test_cmp analysis.md again
'

test_expect_success 'the summary row carries the series numbers' '
	grep "^| manager |" analysis.md >row &&
	echo "| manager | 9MB at 25s | +2MB (7MB → 9MB) | +6MB/min (R² 1.00) | 8MB | 1.10s (4s of 1m00s sampled; ≈16.50s over the run) | 0.28 / 0.30 | - | 0 |" >expect &&
	test_cmp expect row
'

test_expect_success 'a unit without profiles says so instead of failing' '
	grep -A2 "^### idle" analysis.md >idle &&
	printf "### idle\n\nNo heap profiles were collected.\n" >expect &&
	head -3 idle >got &&
	test_cmp expect got
'

test_expect_success 'recommendations cite the figure that raised them' '
	grep "^- \*\*manager: OpenAPI models hold 44.4% of the peak heap\*\* (threshold 10%)" analysis.md &&
	grep "^- \*\*manager: likely leak.\*\* Heap in use grows by 6MB a minute.*Top suspects: \`main.leakyCache\` (+2MB)\. " analysis.md &&
	grep "^- \*\*33% of profile fetches failed\*\* (threshold 10%)" analysis.md
'

test_expect_success 'the alerts section is shown as the e2e summary has it, not rendered' '
	sed -n "/^## Prometheus alerts/,/^## Recommendations/p" analysis.md >got &&
	printf "## Prometheus alerts\n\nAs the e2e summary has them:\n\n\`\`\`text\n- none fired\n\`\`\`\n\n## Recommendations\n" >expect &&
	test_cmp expect got
'

test_expect_success 'the comparison report is what it was (golden file)' '
	mkdir -p diffs &&
	pprof-diff a/analysis/manager.heap.peak.tsv b/analysis/manager.heap.peak.tsv >diffs/manager.heap.peak.diff.tsv &&
	pprof-diff a/analysis/manager.cpu.top.tsv b/analysis/manager.cpu.top.tsv >diffs/manager.cpu.top.diff.tsv &&
	md-report compare a b diffs >compare.md &&
	test_cmp "$TESTS/golden/compare.md" compare.md
'

test_expect_success 'function names are escaped and shortened in tables' '
	grep -F "| 1 | …/module/path/that/goes/on/pkg/internal/controller.(\\*Controller).reconcile\\|x | 600ms |" analysis.md
'

test_expect_success 'a malformed TSV is an error naming file and line' '
	cp -r a bad &&
	printf "1\t2\n" >>bad/analysis/manager.heap.peak.tsv &&
	test_expect_code 1 md-report analysis bad >out 2>err &&
	echo "md-report: bad/analysis/manager.heap.peak.tsv:10: expected 7 fields, got 2" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 md-report 2>err &&
	test_expect_code 2 md-report analysis 2>err &&
	test_expect_code 2 md-report compare a b 2>err &&
	test_expect_code 2 md-report -n 0 analysis a 2>err
'

test_done
