#!/bin/sh
test_description='md-report: hostile phase names, functions, stacks and reasons come out inert; a bad phase, MemStats or verdict file leaves its section out, not the report'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"

R=$TESTS/render
TAB=$(printf '\t')

# As the streams write them (esc: \n is a newline): a phase name that
# closes a Mermaid string and list and starts a heading, a function and
# a stack with markup, backticks and a |, a reason with a script. The
# quotes and backslashes are meant literally.
# shellcheck disable=SC2089
P='"]--> `x`|<b>\n# Injected<img src=x onerror=alert(1)>'
F='evil.`f`|<script>alert(2)</script>'
S='runtime.goexit;<b>x</b>|`y`;z\n## stack'
W='leak <script>alert(3)</script>|`r`\n# R'
# shellcheck disable=SC2090
export P F S W

# hostile RUN: ph's copy with P for e2e, F for main.leak, S for the
# goroutine stack and W for the reason, in the phase and verdict files.
hostile() {
	rm -rf "$1" && cp -r ph "$1" &&
	for f in phases phase-top verdict; do
		awk -F"$TAB" -v OFS="$TAB" '
		$1 == "e2e" { $1 = ENVIRON["P"] }
		$1 == "##reason" { $2 = ENVIRON["W"] }
		$1 == "goroutine" { $2 = ENVIRON["S"] }
		{ for (i = 2; i <= NF; i++) if ($i == "main.leak") $i = ENVIRON["F"]; print }' \
		    "ph/analysis/web.$f.tsv" >"$1/analysis/web.$f.tsv" || return 1
	done
}

test_setup 'a run with phases, and its hostile twin' '
	phase_run ph &&
	hostile evil &&
	md-report analysis ph >good.md &&
	md-report analysis evil >evil.md 2>err &&
	test_must_be_empty err
'

test_expect_success 'in a table, a paragraph and a code span: escaped, one line each' '
	cat >shown <<-\EOT &&
	| \"\]--\> \`x\`\|\<b\>\\n\# Injected\<img src\=x onerror\=alert(1)\> | 20s |
	; evil.\`f\`\|\<script\>alert(2)\</script\> (6MB) | evil.\`f\`\|\<script\>alert(2)\</script\> (+6MB) |
	the growth came from phase \"\]--\> \`x\`\|\<b\>\\n\# Injected\<img src\=x onerror\=alert(1)\>, +6MB
	**Likely leak**: leak \<script\>alert(3)\</script\>\|\`r\`\\n\# R.
	| 1 | runtime.goexit → \<b\>x\</b\>\|\`y\` → z\\n\#\# stack | 0 | 12 | +12 |
	Retained beyond the baseline: evil.\`f\`\|\<script\>alert(2)\</script\> (+7MB)
	EOT
	while read -r line; do
		grep -qF -- "$line" evil.md || { echo "not shown: $line"; return 1; }
	done <shown
'

test_expect_success 'no line starts what a crafted string began' '
	grep -n "^# Injected\\|^## stack\\|^# R" evil.md >bad || :
	test_must_be_empty bad
'

test_expect_success 'in a chart label, Mermaid syntax shown visibly, the name cut' '
	grep "^    x-axis " evil.md | head -1 >got &&
	cat >expect <<-\EOT &&
	    x-axis "time since the test started (s)" ["5 cluster", "15 deploy", "25 \x22\x5d--\x3e \x60x\x60\x7c\x3cb\x3e\n\x23 Injected\u2026", "35", "45", "55 teardown"]
	EOT
	test_cmp expect got
'

test_expect_success 'rendered, the hostile report has the elements and charts of the benign one' '
	command -v node >/dev/null 2>&1 || { say "# skipped: needs node"; return 0; }
	[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { say "# skipped: needs chromium"; return 0; }
	[ -d "$R/node_modules/mermaid" ] || { say "# skipped: needs tests/render/node_modules"; return 0; }
	node "$R/render.mjs" evil.md evil.png evil.dom >evil.charts &&
	node "$R/render.mjs" good.md good.png good.dom >good.charts &&
	test_cmp good.charts evil.charts &&
	grep -v "^element code " good.dom >expect &&
	grep -v "^element code " evil.dom >actual &&
	test_cmp expect actual &&
	grep "^attribute \\|^element \\(script\\|img\\|iframe\\|b\\) " evil.dom >bad || :
	test_must_be_empty bad
'

# broken FILE SED: ph's copy whose analysis/web.FILE is edited by SED.
broken() {
	rm -rf bad && cp -r ph bad &&
	sed "$2" "ph/analysis/web.$1" >"bad/analysis/web.$1"
}

# left_out MESSAGE: the report is written, exit 0, MESSAGE on stderr and
# in the report, less the run directory.
left_out() {
	md-report analysis bad >out 2>err &&
	echo "md-report: bad/$1" >expect &&
	test_cmp expect err &&
	grep -F "Left out: $2." out &&
	grep "^## Recommendations" out
}

test_expect_success 'a phase figure that is not a number: the phases left out, the rest written' '
	broken phases.tsv "s/^e2e\\(\\(${TAB}[^${TAB}]*\\)\\{8\\}\\)${TAB}6291456${TAB}/e2e\\1${TAB}NaN${TAB}/" &&
	left_out "analysis/web.phases.tsv:7: growth: not a number" \
	    "analysis/web.phases.tsv:7: growth: not a number" &&
	! grep -e "phase that starts there" -e "Where the heap grew" out &&
	grep "^## The runtime.s view" out && grep "^## Leak verdict" out
'

test_expect_success 'a cut MemStats file: the runtime view of the unit left out' '
	rm -rf bad && cp -r ph bad &&
	printf "6\t1" >>bad/analysis/web.memstats.tsv &&
	left_out "analysis/web.memstats.tsv:6: a cut line (no newline at the end)" \
	    "analysis/web.memstats.tsv:6: a cut line (no newline at the end)" &&
	! grep "^Garbage collections" out &&
	grep "^| phase | start |" out
'

test_expect_success 'phase-top without a column: the phases stand, their top cells are -' '
	broken phase-top.tsv "s/^#phase${TAB}what/#phase${TAB}kind/" &&
	left_out "analysis/web.phase-top.tsv: no column what" \
	    "analysis/web.phase-top.tsv: no column what" &&
	grep "^| e2e | 20s | 30s | 6MB | 12MB | +6MB | 24MB | 0.50 | - | - |\$" out
'

test_expect_success 'a verdict that is none of the three: left out, the slope makes the call' '
	broken verdict.tsv "s/^##verdict${TAB}.*/##verdict${TAB}maybe<b>/" &&
	left_out "analysis/web.verdict.tsv: ##verdict: not likely-leak, bounded or no-leak: maybe<b>" \
	    "analysis/web.verdict.tsv: \#\#verdict: not likely-leak, bounded or no-leak: maybe\<b\>" &&
	grep "^\*\*Steady growth\*\*" out &&
	grep "^- \*\*web: likely leak.\*\* Heap in use grows" out
'

test_expect_success 'an empty verdict file, and one without its reason' '
	rm -rf bad && cp -r ph bad && : >bad/analysis/web.verdict.tsv &&
	left_out "analysis/web.verdict.tsv: empty file" "analysis/web.verdict.tsv: empty file" &&
	broken verdict.tsv "/^##reason/d" &&
	left_out "analysis/web.verdict.tsv: no ##reason" "analysis/web.verdict.tsv: no \#\#reason"
'

test_expect_success 'compare: a bad phase file in one run leaves the pair'"'"'s phases out' '
	broken phases.tsv "s/^e2e${TAB}[0-9]*/e2e${TAB}x/" &&
	mkdir -p diffs &&
	md-report compare ph bad diffs >cmp.md 2>err &&
	grep "^md-report: bad/analysis/web.phases.tsv:7: start_ns: not a number\$" err &&
	sed -n "/^## Phases/,/^## Top/p" cmp.md >got &&
	grep "^Left out: analysis/web.phases.tsv:7: start\\\\_ns: not a number.\$" got &&
	grep "^## Key findings" cmp.md
'

test_done
