#!/bin/sh
# Benchmark: `e2e-profile analyze` of a one-hour run at the default 10 s
# interval: 2 units (operator-controller, catalogd), each 360 heap and 360
# CPU profiles. Prints the median wall of RUNS (default 3) of the whole
# analyze (every TSV, and analysis.md when md-report is built), then of
# md-report's part alone. Target: under 3 s on 2 cores (issue 16).
#
#   sh tests/bench/analyze.sh [RUNS]
#
# The heap profiles are tests/bench/series.sh's (build/bench/series, made
# by it when missing): 720 of a Kubernetes controller, 50 to 150 KB each,
# a restart half way; the first 360 are one unit's, the other 360 the
# other's. The CPU profiles are made here, once, into build/bench/analyze
# (delete it to make them again): the same 1000 functions, 2000 call sites
# and stacks down a call tree, 600 to 1500 samples of 10 ms per 10 s
# window, written with the test helper pbwrite.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
dir=${DIR:-$root/build/bench/analyze}
series=$root/build/bench/series
bench=$root/build/tests/benchtime
pbwrite=$root/build/tests/pbwrite
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

main() {
	for t in "$bench" "$pbwrite" "$root/bin/pprof-decode" \
	    "$root/bin/pprof-series" "$root/bin/pprof-top" "$root/bin/pprof-diff"; do
		[ -x "$t" ] || { echo "analyze.sh: no $t: run make first" >&2; exit 1; }
	done
	if [ ! -e "$series/heap719.pb.gz" ]; then
		echo "analyze.sh: making the heap profiles with series.sh" >&2
		sh "$root/tests/bench/series.sh" 1 >/dev/null
	fi
	if [ ! -e "$dir/cpu/cpu359.pb.gz" ]; then
		generate_cpu
	fi
	make_run
	run=$dir/runs/hour
	printf '# 2 units x (360 heap + 360 cpu) profiles, %s MB, %s runs, %s\n' \
	    "$(du -smL "$run" | cut -f1)" "$runs" "$(machine)"
	# Exit 0 when the TSVs are written, with or without md-report.
	a=$(E2E_PROFILE_DIR=$dir/runs "$bench" "$runs" sh -c \
	    "sh '$root/scripts/e2e-profile' analyze hour >/dev/null 2>&1
	    test -s '$run/analysis/catalogd.cpu.top.tsv'")
	printf '%-44s %10s\n' command median_ms
	printf '%-44s %10s\n' "e2e-profile analyze" "$(f1 "$a")"
	if [ -x "$root/bin/md-report" ]; then
		m=$("$bench" "$runs" "$root/bin/md-report" analysis "$run")
		printf '%-44s %10s\n' "  md-report analysis alone" "$(f1 "$m")"
	else
		echo "# no bin/md-report: analysis.md not made"
	fi
	(cd "$run/analysis" && printf '# %s\n' *)
	awk -v a="$(f1 "$a")" 'BEGIN {
		printf "one-hour run analysed in %.2f s (target < 3 s): %s\n", a / 1000,
		    a < 3000 ? "ok" : "TOO SLOW"
	}'
}

f1() { printf '%s\n' "$1" | cut -f1; }

machine() {
	printf '%s cores, %s' "$(nproc)" \
	    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
}

# make_run: the run directory, its profiles hard links to the generated
# ones (numbered as the wrapper numbers them).
make_run() {
	run=$dir/runs/hour
	[ ! -e "$run/catalogd/cpu359.pprof" ] || return 0
	rm -rf "$dir/runs"
	mkdir -p "$run/operator-controller" "$run/catalogd"
	i=0
	while [ "$i" -lt 360 ]; do
		f=$(printf '%03d' "$i")
		g=$(printf '%03d' $((i + 360)))
		ln -f "$series/heap$f.pb.gz" "$run/operator-controller/heap$i.pprof"
		ln -f "$series/heap$g.pb.gz" "$run/catalogd/heap$i.pprof"
		ln -f "$dir/cpu/cpu$f.pb.gz" "$run/operator-controller/cpu$i.pprof"
		ln -f "$dir/cpu/cpu$f.pb.gz" "$run/catalogd/cpu$i.pprof"
		i=$((i + 1))
	done
	printf '#key\tvalue\nname\thour\ntarget\ttest-experimental-e2e\nexit_status\t0\nstarted\t2023-11-14T22:13:20Z\nended\t2023-11-14T23:13:20Z\nduration_s\t3600\nnamespace\tolmv1-system\ninterval\t10\ncpu_duration\t9\nmode\tboth\ntransport\tport-forward\nunits\toperator-controller catalogd\n' \
	    >"$run/run.tsv"
	printf '#time\ttarget\tkind\tseq\toutcome\tstatus\tbytes\tms\tfile_or_error\n' \
	    >"$run/collection.log"
	printf '#time\tunit\tevent\tdetail\n' >"$run/events.tsv"
}

generate_cpu() {
	echo "analyze.sh: generating 360 CPU profiles in $dir/cpu (once)" >&2
	rm -rf "$dir/cpu"
	mkdir -p "$dir/cpu"
	awk -v tmp="$tmp" -f /dev/stdin <<-\EOF
	function rnd(m) { seed = (seed * 16807) % 2147483647; return int(seed / 2147483647 * m) }
	function str(s) { print "6 string " s > hdr; return nstr++ }
	BEGIN {
		hdr = tmp "/header.spec"
		split("k8s.io/client-go/tools/cache k8s.io/apimachinery/pkg/runtime " \
		    "encoding/json sigs.k8s.io/yaml k8s.io/kube-openapi/pkg/validation/spec " \
		    "google.golang.org/protobuf/internal/impl " \
		    "sigs.k8s.io/controller-runtime/pkg/internal/controller " \
		    "github.com/operator-framework/operator-controller/internal/applier " \
		    "reflect regexp crypto/tls net/http bufio bytes strings sync runtime " \
		    "compress/flate k8s.io/klog/v2 io os main", pkg, " ")
		split("Controller Reflector decodeState Decoder Schema Cache Parser " \
		    "Applier Client Request Reader Buffer Map", typ, " ")
		split("List Watch Reconcile Unmarshal Decode literalStore Add Get Parse " \
		    "Do Read Write Marshal func1 Run handle convert mallocgc scanobject", meth, " ")
		np = 24; nt = 13; nm = 19; nfunc = 1000; nloc = 2000; nstack = 1500
		seed = 7; nstr = 0
		str("")
		smp = str("samples"); cnt = str("count")
		cpu = str("cpu"); nsu = str("nanoseconds"); bin = str("/manager")
		printf "1 {\n  1 varint %d\n  2 varint %d\n}\n", smp, cnt > hdr
		printf "1 {\n  1 varint %d\n  2 varint %d\n}\n", cpu, nsu > hdr
		printf "3 {\n  1 varint 1\n  2 varint 4194304\n  3 varint 134217728\n  5 varint %d\n}\n", bin > hdr
		printf "11 {\n  1 varint %d\n  2 varint %d\n}\n12 varint 10000000\n10 varint 10000000000\n", cpu, nsu > hdr
		nf = 0
		while (nf < nfunc) {
			p = 1 + rnd(np); t = 1 + rnd(nt); m = 1 + rnd(nm)
			name = pkg[p] ".(*" typ[t] ")." meth[m] "." nf
			nf++
			fname[nf] = str(name)
			printf "5 {\n  1 varint %d\n  2 varint %d\n  3 varint %d\n}\n", nf, fname[nf], fname[nf] > hdr
		}
		for (l = 1; l <= nloc; l++)
			printf "4 {\n  1 varint %d\n  2 varint 1\n  3 varint %d\n  4 {\n    1 varint %d\n    2 varint %d\n  }\n}\n",
			    l, 4194304 + l * 64, 1 + rnd(nf), 10 + rnd(2000) > hdr
		close(hdr)
		for (k = 1; k <= nstack; k++) {
			d = 6 + rnd(27); l = 1 + rnd(30); s = l
			for (j = 1; j < d; j++) {
				l = 1 + (l * 7919 + rnd(3) * 104729) % nloc
				s = l " " s
			}
			stack[k] = s
		}
		for (i = 0; i < 360; i++) {
			f = sprintf("%s/c%03d.spec", tmp, i)
			printf "9 varint %.0f\n", 1700000000000000000 + i * 10000000000 > f
			ns = 600 + rnd(900)
			for (k = 1; k <= ns; k++) {
				c = 1 + rnd(5)
				printf "2 {\n  1 packed %s\n  2 packed %d %d\n}\n",
				    stack[1 + rnd(nstack)], c, c * 10000000 > f
			}
			close(f)
		}
	}
	EOF
	"$pbwrite" <"$tmp/header.spec" >"$tmp/header.pb"
	i=0
	while [ "$i" -lt 360 ]; do
		f=$(printf '%03d' "$i")
		"$pbwrite" <"$tmp/c$f.spec" | cat "$tmp/header.pb" - |
		    gzip -6 >"$dir/cpu/cpu$f.pb.gz"
		rm -f "$tmp/c$f.spec"
		i=$((i + 1))
	done
}

main "$@"
