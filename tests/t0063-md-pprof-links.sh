#!/bin/sh
test_description='md-report: links to the pprof files of a run, a comparison and a set comparison when they exist, escaped, never broken'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"

R=$TESTS/render
# A unit name as a run directory could have it: markup, a table cell
# split, a link end, a space.
U='web<img src=x onerror=alert(7)>|x) [y](javascript:alert(8))'
UH='web%3Cimg%20src%3Dx%20onerror%3Dalert%287%29%3E%7Cx%29%20%5By%5D%28javascript%3Aalert%288%29%29'

# make_run DIR UNIT: three heap profiles and two CPU windows, analysed.
make_run() {
	mkdir -p "$1/$2" &&
	for s in 0 1 2; do
		heap_spec "$(at $((5 + 10 * s)))" /manager main.grow $((3145728 * (s + 1))) |
		    pbwrite >"$1/$2/heap$s.pprof" || return 1
	done &&
	for s in 0 1; do
		cpu_spec "$(at $((5 + 10 * s)))" 2000000000 main.spin 300000000 |
		    pbwrite >"$1/$2/cpu$s.pprof" || return 1
	done &&
	analyze "$1" "$2" &&
	run_tsv_of "$1" "$1" 60
}

# pprofs DIR UNIT KIND...: stand-ins for the files e2e-profile pprof
# writes (md-report only links them).
pprofs() {
	_d=$1 _u=$2
	shift 2
	mkdir -p "$_d" &&
	for _k in "$@"; do
		echo x >"$_d/$_u.$_k.pb.gz" || return 1
	done
}

test_setup 'runs with the same profiles: without, with pprof files, with a crafted unit' '
	make_run plain web && make_run linked web && make_run evil "$U" &&
	pprofs linked/pprof web cpu heap-peak alloc &&
	pprofs evil/pprof "$U" cpu heap-peak alloc
'

test_expect_success 'no pprof files: no link, the report as it was' '
	md-report analysis plain >plain.md &&
	! grep "pb\\.gz\\|pprof file" plain.md
'

test_expect_success 'each file linked in its section, with the command that opens it' '
	md-report analysis linked >linked.md &&
	grep -n "^pprof file: " linked.md >links &&
	test "$(wc -l <links)" = 3 &&
	sed -n "/^### web: in use at the peak/,/^###/p" linked.md | grep "^pprof file" >got &&
	echo "pprof file: [the heap profile at the peak](pprof/web.heap-peak.pb.gz); from this report'"'"'s directory: \`go tool pprof -http=: pprof/web.heap-peak.pb.gz\`" >want &&
	test_cmp want got &&
	sed -n "/^### web: allocated during the test/,/^##/p" linked.md | grep "^pprof file" >got &&
	echo "pprof file: [the allocation during the test](pprof/web.alloc.pb.gz); from this report'"'"'s directory: \`go tool pprof -http=: pprof/web.alloc.pb.gz\`" >want &&
	test_cmp want got &&
	sed -n "/^## Top CPU consumers/,/^## [A-Z]/p" linked.md | grep "^pprof file" >got &&
	echo "pprof file: [every CPU window merged](pprof/web.cpu.pb.gz); from this report'"'"'s directory: \`go tool pprof -http=: pprof/web.cpu.pb.gz\`" >want &&
	test_cmp want got &&
	grep -v "^pprof file: " linked.md | sed "/^$/N;/^\\n$/D" >rest &&
	sed "s/linked/plain/g" rest >rest2 &&
	sed "/^$/N;/^\\n$/D" plain.md >plain2 &&
	test_cmp plain2 rest2
'

test_expect_success 'a directory or a dangling symlink of the name is no file: no link' '
	rm linked/pprof/web.alloc.pb.gz && mkdir linked/pprof/web.alloc.pb.gz &&
	ln -s nosuch linked/pprof/web.cpu.pb.gz.tmp &&
	rm linked/pprof/web.cpu.pb.gz && mv linked/pprof/web.cpu.pb.gz.tmp linked/pprof/web.cpu.pb.gz &&
	md-report analysis linked >linked2.md &&
	grep "^pprof file: " linked2.md >links &&
	test "$(wc -l <links)" = 1 &&
	grep -q "web.heap-peak.pb.gz" links
'

test_expect_success 'a crafted unit name: the href percent-encoded, the text escaped' '
	md-report analysis evil >evil.md &&
	grep "^pprof file: " evil.md >links &&
	test "$(wc -l <links)" = 3 &&
	grep -F "pprof file: [every CPU window merged](pprof/$UH.cpu.pb.gz); " links &&
	! grep "[^\\]<" links
'

test_expect_success 'compare: A-vs-B.pprof/UNIT.KIND.pb.gz beside the diffs, when written' '
	mkdir -p comparisons/plain-vs-linked &&
	md-report compare plain linked comparisons/plain-vs-linked >cmp1.md &&
	! grep "pb\\.gz" cmp1.md &&
	pprofs comparisons/plain-vs-linked.pprof web cpu &&
	md-report compare plain linked comparisons/plain-vs-linked >cmp.md &&
	grep "^pprof file: " cmp.md >got &&
	echo "pprof file: [B with A as its diff base](plain-vs-linked.pprof/web.cpu.pb.gz); from this report'"'"'s directory: \`go tool pprof -http=: plain-vs-linked.pprof/web.cpu.pb.gz\`" >want &&
	test_cmp want got &&
	sed -n "/^## CPU/,/^## Categories/p" cmp.md | grep -c "^pprof file" >n &&
	test "$(cat n)" = 1
'

test_expect_success 'sets: PAIR.pprof/ beside PAIR.stats.tsv, linked per unit' '
	printf "#run\tunit\tcomponent\tfigure\tvalue\na.1\tweb\tweb\tcores_mean\t1\n" >a.tsv &&
	printf "#run\tunit\tcomponent\tfigure\tvalue\nb.1\tweb\tweb\tcores_mean\t2\n" >b.tsv &&
	set-stats a.tsv b.tsv >comparisons/a-vs-b.stats.tsv &&
	md-report sets a b comparisons/a-vs-b.stats.tsv >s1.md &&
	! grep "pb\\.gz" s1.md &&
	pprofs comparisons/a-vs-b.pprof web cpu heap-peak &&
	md-report sets a b comparisons/a-vs-b.stats.tsv >s.md &&
	sed -n "/^## \`web\`/,/^| figure/p" s.md | grep "^pprof file: " | sed "s/;.*//" >got &&
	printf "%s\n" "pprof file: [CPU, B with A as its diff base](a-vs-b.pprof/web.cpu.pb.gz)" \
	    "pprof file: [heap at the peak, B with A as its diff base](a-vs-b.pprof/web.heap-peak.pb.gz)" >want &&
	test_cmp want got
'

test_expect_success 'rendered: the links are <a> elements with their hrefs, the crafted name adds no element' '
	command -v node >/dev/null 2>&1 || { say "# skipped: needs node"; return 0; }
	[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { say "# skipped: needs chromium"; return 0; }
	[ -d "$R/node_modules/mermaid" ] || { say "# skipped: needs tests/render/node_modules"; return 0; }
	rm -rf linked/pprof && pprofs linked/pprof web cpu heap-peak alloc &&
	md-report analysis linked >linked.md &&
	node "$R/render.mjs" linked.md linked.png linked.dom >linked.charts &&
	node "$R/render.mjs" evil.md evil.png evil.dom >evil.charts &&
	grep "^href " linked.dom >got &&
	printf "href pprof/web.%s.pb.gz\n" alloc cpu heap-peak >want &&
	test_cmp want got &&
	grep "^href " evil.dom >got &&
	printf "href pprof/$UH.%s.pb.gz\n" alloc cpu heap-peak >want &&
	test_cmp want got &&
	grep -v "^href \\|^element code " linked.dom >expect &&
	grep -v "^href \\|^element code " evil.dom >actual &&
	test_cmp expect actual &&
	grep "^attribute \\|^element \\(script\\|img\\|iframe\\) " evil.dom >bad || :
	test_must_be_empty bad
'

test_done
