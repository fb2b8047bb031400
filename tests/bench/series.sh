#!/bin/sh
# Benchmark: pprof-decode ... | pprof-series on 720 heap profiles of 50 to
# 150 KB each (an hour at 10 s for two components: here one series of 720
# profiles 10 s apart, with a restart half way). Prints the median wall of
# RUNS (default 3), the profile count and sizes, and the peak RSS of
# pprof-series alone (/usr/bin/time -f %M). Target: under 5 s on 2 cores.
#
#   sh tests/bench/series.sh [RUNS]
#
# The profiles are synthesized, once, into build/bench/series (delete it to
# make them again; N, NFUNC, NLOC, NSTACK and DIR change the shape): a Go
# heap profile as a Kubernetes controller writes it -- 1000 functions of
# the usual packages, 2000 call sites, 4200 stacks 6 to 32 deep down a
# call tree, so that they share prefixes -- written with the test helper
# pbwrite. Each file is the shared header (strings, functions, locations,
# mapping) followed by its own samples and time: protobuf concatenation is
# a merge, so that is one valid profile. Profile i of a process holds the
# first 420 + 3780 * age / 359 stacks (a process meets more call sites as
# it runs, hence 50 KB early, 150 KB late), alloc_* values that grow with
# its age, inuse_* values steady but for a leaking tenth; the process
# restarts at profile 360, its counters starting again.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
dir=${DIR:-$root/build/bench/series}
n=${N:-720}
NFUNC=${NFUNC:-1000} NLOC=${NLOC:-2000} NSTACK=${NSTACK:-4200}
bench=$root/build/tests/benchtime
pbwrite=$root/build/tests/pbwrite
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

main() {
	for t in "$bench" "$pbwrite" "$root/bin/pprof-decode" \
	    "$root/bin/pprof-series"; do
		[ -x "$t" ] || { echo "series.sh: no $t: run make first" >&2; exit 1; }
	done
	set -- "$dir"/heap*.pb.gz
	if [ ! -e "$1" ] || [ "$#" != "$n" ]; then
		generate
	fi
	set -- "$dir"/heap*.pb.gz
	printf '# %s heap profiles, %s runs, %s\n' "$#" "$runs" "$(machine)"
	wc -c "$@" | sed '$d' | awk '{ s += $1
	    if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1 }
	    END { printf "# sizes: %.0f to %.0f KB, %.1f MB in all\n",
	    min / 1000, max / 1000, s / 1e6 }'
	"$root/bin/pprof-decode" "$@" >"$tmp/stream"
	printf '# sample stream: %.0f MB\n' \
	    "$(($(wc -c <"$tmp/stream") / 1000000))"
	cmd="'$root/bin/pprof-decode' $dir/heap*.pb.gz | '$root/bin/pprof-series'"
	p=$("$bench" "$runs" sh -c "$cmd")
	g=$("$bench" "$runs" sh -c "'$root/bin/pprof-decode' $dir/heap*.pb.gz |
	    '$root/bin/pprof-series' --growth")
	d=$("$bench" "$runs" "$root/bin/pprof-decode" "$@")
	s=$("$bench" "$runs" "$root/bin/pprof-series" "$tmp/stream")
	rss=$( { /usr/bin/time -f %M "$root/bin/pprof-series" "$tmp/stream" \
	    >/dev/null; } 2>&1 )
	rssg=$( { /usr/bin/time -f %M "$root/bin/pprof-series" --growth \
	    "$tmp/stream" >/dev/null; } 2>&1 )
	printf '%-40s %10s %10s\n' command median_ms peak_KiB
	printf '%-40s %10s %10s\n' "pprof-decode | pprof-series" "$(f1 "$p")" -
	printf '%-40s %10s %10s\n' "pprof-decode | pprof-series --growth" \
	    "$(f1 "$g")" -
	printf '%-40s %10s %10s\n' "  pprof-decode alone" "$(f1 "$d")" "$(f4 "$d")"
	printf '%-40s %10s %10s\n' "  pprof-series alone (from a file)" \
	    "$(f1 "$s")" "$rss"
	printf '%-40s %10s %10s\n' "  pprof-series --growth alone" - "$rssg"
	"$root/bin/pprof-series" -s "$tmp/stream" | grep -E \
	    '^(profiles|restarts|slope_per_min|alloc_space_during)	' | sed 's/^/# /'
	awk -v p="$(f1 "$p")" -v n="$#" 'BEGIN {
		printf "%d profiles in %.2f s (target < 5 s): %s\n", n, p / 1000,
		    p < 5000 ? "ok" : "TOO SLOW"
	}'
}

f1() { printf '%s\n' "$1" | cut -f1; }
f4() { printf '%s\n' "$1" | cut -f4; }

machine() {
	printf '%s cores, %s' "$(nproc)" \
	    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
}

generate() {
	echo "series.sh: generating $n profiles in $dir (once)" >&2
	rm -rf "$dir"
	mkdir -p "$dir"
	awk -v n="$n" -v tmp="$tmp" -v nfunc="$NFUNC" -v nloc="$NLOC" \
	    -v nstack="$NSTACK" -f /dev/stdin <<-\EOF
	# A deterministic pseudo-random number in [0, m).
	function rnd(m) { seed = (seed * 16807) % 2147483647; return int(seed / 2147483647 * m) }
	function str(s) { print "6 string " s > hdr; return nstr++ }
	BEGIN {
		hdr = tmp "/header.spec"
		split("k8s.io/client-go/tools/cache k8s.io/apimachinery/pkg/runtime " \
		    "k8s.io/apimachinery/pkg/util/json encoding/json " \
		    "sigs.k8s.io/json/internal/golang/encoding/json sigs.k8s.io/yaml " \
		    "k8s.io/kube-openapi/pkg/validation/spec k8s.io/kube-openapi/pkg/util/proto " \
		    "google.golang.org/protobuf/internal/impl " \
		    "sigs.k8s.io/controller-runtime/pkg/internal/controller " \
		    "sigs.k8s.io/controller-runtime/pkg/cache/internal " \
		    "github.com/operator-framework/operator-controller/internal/catalogmetadata/cache " \
		    "github.com/operator-framework/operator-controller/internal/applier " \
		    "github.com/operator-framework/operator-registry/alpha/declcfg " \
		    "reflect regexp regexp/syntax crypto/tls crypto/x509 net/http bufio bytes " \
		    "strings sync runtime compress/flate github.com/go-logr/logr k8s.io/klog/v2 " \
		    "helm.sh/helm/v3/pkg/chart github.com/containers/image/v5/docker " \
		    "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured k8s.io/api/core/v1 " \
		    "github.com/json-iterator/go gopkg.in/yaml.v3 io os encoding/base64 " \
		    "k8s.io/apimachinery/pkg/util/wait k8s.io/client-go/rest main", pkg, " ")
		split("Controller Reflector DeltaFIFO decodeState Decoder Schema Unstructured " \
		    "Pod Cache threadSafeMap Parser Applier Bundle Package Informer Client " \
		    "Request Reader Buffer Map", typ, " ")
		split("List Watch Reconcile UnmarshalJSON Unmarshal Decode object value " \
		    "literalStore processNextWorkItem Add Update Get Parse ListAndWatch " \
		    "Do Read Write Marshal func1 func2.1 Run Start handle convert", meth, " ")
		np = 40; nt = 20; nm = 25
		seed = 42; nstr = 0
		str("")
		ao = str("alloc_objects"); cnt = str("count")
		as = str("alloc_space"); byt = str("bytes")
		io = str("inuse_objects"); is = str("inuse_space")
		sp = str("space"); bin = str("/manager")
		printf "1 {\n  1 varint %d\n  2 varint %d\n}\n", ao, cnt > hdr
		printf "1 {\n  1 varint %d\n  2 varint %d\n}\n", as, byt > hdr
		printf "1 {\n  1 varint %d\n  2 varint %d\n}\n", io, cnt > hdr
		printf "1 {\n  1 varint %d\n  2 varint %d\n}\n", is, byt > hdr
		printf "3 {\n  1 varint 1\n  2 varint 4194304\n  3 varint 134217728\n  5 varint %d\n}\n", bin > hdr
		printf "11 {\n  1 varint %d\n  2 varint %d\n}\n12 varint 524288\n14 varint %d\n", sp, byt, is > hdr
		# nfunc distinct functions, each with its package's file.
		nf = 0
		while (nf < nfunc) {
			p = 1 + rnd(np); t = 1 + rnd(nt); m = 1 + rnd(nm)
			name = (rnd(3) == 0) ? pkg[p] "." meth[m] : pkg[p] ".(*" typ[t] ")." meth[m]
			if (name in seen) continue
			seen[name] = 1
			nf++
			fname[nf] = str(name)
			if (!(p in pfile)) pfile[p] = str("/go/src/" pkg[p] "/" typ[t] ".go")
			printf "5 {\n  1 varint %d\n  2 varint %d\n  3 varint %d\n  4 varint %d\n  5 varint %d\n}\n",
			    nf, fname[nf], fname[nf], pfile[p], 10 + rnd(900) > hdr
		}
		# nloc call sites; a tenth inline a second function.
		for (l = 1; l <= nloc; l++) {
			f = 1 + rnd(nf)
			printf "4 {\n  1 varint %d\n  2 varint 1\n  3 varint %d\n  4 {\n    1 varint %d\n    2 varint %d\n  }\n",
			    l, 4194304 + l * 64, f, 10 + rnd(2000) > hdr
			if (rnd(10) == 0)
				printf "  4 {\n    1 varint %d\n    2 varint %d\n  }\n", 1 + rnd(nf), 10 + rnd(2000) > hdr
			print "}" > hdr
		}
		close(hdr)
		# nstack stacks, 6 to 32 deep: paths down a call tree from 30
		# roots, each call site calling one of 3 others, so stacks share
		# prefixes as real ones do.
		for (k = 1; k <= nstack; k++) {
			d = 6 + rnd(27)
			l = 1 + rnd(30)
			s = l
			for (j = 1; j < d; j++) {
				l = 1 + (l * 7919 + rnd(3) * 104729) % nloc
				s = l " " s
			}
			stack[k] = s
			objs[k] = 1 + rnd(50)
			size[k] = 16 * (1 + rnd(64))
			live[k] = rnd(3)	# 0: freed, 1: kept, 2: kept
			leak[k] = rnd(10) == 0
		}
		# A process sees more call sites as it runs: profile i of a
		# process (age i) has the first lo + (nstack - lo) * age / half.
		half = n / 2; lo = int(nstack / 10)
		for (i = 0; i < n; i++) {
			f = sprintf("%s/s%03d.spec", tmp, i)
			age = i < half ? i : i - half	# the restart
			printf "9 varint %.0f\n", 1700000000000000000 + i * 10000000000 > f
			ns = lo + int((nstack - lo) * age / (half - 1))
			for (k = 1; k <= ns; k++) {
				a = objs[k] * (1 + age)
				u = live[k] == 0 ? 0 : objs[k] * (leak[k] ? 1 + age / 10 : 1)
				u = int(u)
				printf "2 {\n  1 packed %s\n  2 packed %d %d %d %d\n}\n",
				    stack[k], a, a * size[k], u, u * size[k] > f
			}
			close(f)
		}
	}
	EOF
	"$pbwrite" <"$tmp/header.spec" >"$tmp/header.pb"
	i=0
	while [ "$i" -lt "$n" ]; do
		f=$(printf '%03d' "$i")
		"$pbwrite" <"$tmp/s$f.spec" | cat "$tmp/header.pb" - |
		    gzip -6 >"$dir/heap$f.pb.gz"
		rm -f "$tmp/s$f.spec"
		i=$((i + 1))
	done
}

main "$@"
