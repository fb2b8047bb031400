#!/bin/sh
test_description='md-report: strings from a crafted profile and run directory are shown, never rendered as markup'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"

R=$TESTS/render
CR=$(printf '\r')
NL='
'
# Function names, a label value, a unit name, file names and run.tsv
# fields as a hostile service or run directory could write them: a
# carriage return and a newline ending a code span to start a heading, a
# script, a table cell split by |, backticks, U+2028/2029, an escape
# sequence, a link to javascript:, an image with a handler.
F1="main.evil${CR}${NL}# Injected${NL}<script>alert(1)</script>"
F2='a|b`c` <img src=x onerror=alert(2)>'
F3="x$(printf '\342\200\250')y$(printf '\342\200\251')z [l](javascript:alert(3)) $(printf '\033')[31m"
U='web<img src=x onerror=alert(7)>|x'
TAB=$(printf '\t')

# make_run DIR UNIT F1 F2 F3 NAME TARGET NAMESPACE TEXT: a run whose
# function names, unit, run.tsv fields and log texts are the arguments.
make_run() {
	d=$1 u=$2
	mkdir -p "$d/$u" &&
	for s in 0 1 2; do
		heap_spec "$(at $((5 + 10 * s)))" /manager "$3" $((3145728 * (s + 1))) \
		    "$4" $((1048576 * (s + 1)))/1048576 "$5" 2097152/2097152 |
		    pbwrite >"$d/$u/heap$s.pprof" || return 1
	done &&
	for s in 0 1; do
		cpu_spec "$(at $((5 + 10 * s)))" 2000000000 "$4" 300000000 "$5" 200000000 |
		    pbwrite >"$d/$u/cpu$s.pprof" || return 1
	done &&
	analyze "$d" "$u" &&
	printf "#key${TAB}value\nname${TAB}%s\ntarget${TAB}%s\nexit_status${TAB}1\nstarted${TAB}2026-11-18T11:06:40Z\nended${TAB}2026-11-18T11:07:40Z\nduration_s${TAB}60\nnamespace${TAB}%s\ninterval${TAB}10\ncpu_duration${TAB}2\nmode${TAB}both\ntransport${TAB}%s\n" \
	    "$6" "$7" "$8" "$9" >"$d/run.tsv" &&
	printf "#time${TAB}target${TAB}kind${TAB}seq${TAB}outcome${TAB}status${TAB}bytes${TAB}ms${TAB}file_or_error\n2026-11-18T11:06:45.000Z${TAB}%s${TAB}heap${TAB}0${TAB}ok${TAB}200${TAB}900${TAB}12${TAB}%s/heap0.pprof\n2026-11-18T11:06:55.000Z${TAB}%s${TAB}heap${TAB}1${TAB}error${TAB}0${TAB}0${TAB}3${TAB}%s\n" \
	    "$9" "$u" "$9" "$9" >"$d/collection.log" &&
	printf "#time${TAB}unit${TAB}event${TAB}detail\n2026-11-18T11:07:00Z${TAB}%s${TAB}replaced${TAB}%s\n" \
	    "$u" "$9" >"$d/events.tsv" &&
	printf "#unit${TAB}kind${TAB}file${TAB}reason\n%s${TAB}heap${TAB}%s/heap9.pprof${TAB}%s\n" \
	    "$u" "$u" "$9" >"$d/analysis/bad-profiles.tsv" &&
	printf "# e2e summary\n\n## Alerts\n\n%s\n\`\`\`\nafter the fence\n\n## Other\n" \
	    "$9" >"$d/e2e-summary.md"
}

test_setup 'a crafted run, and its benign twin' '
	make_run evil "$U" "$F1" "$F2" "$F3" "run <script>alert(4)</script>" \
	    "e2e\`x\`|<b>y</b>" "ns${CR}# H" "<script>alert(5)</script>\\\\r<iframe src=x></iframe>|\`" &&
	make_run good web main.evil main.ab main.xyz good test-e2e ns plain &&
	cat >shown <<-\EOT
	main.evil\\r\\n\# Injected\\n\<script\>alert(1)\</script\>
	x\\u2028y\\u2029z \[l\](javascript:alert(3)) \\x1b\[31m
	a\|b\`c\` \<img src\=x onerror\=alert(2)\>
	run \<script\>alert(4)\</script\>
	e2e\`x\`\|\<b\>y\</b\>
	`ns\r# H`
	EOT
'

test_expect_success 'the crafted report is written, and says what the names are' '
	md-report analysis evil >evil.md &&
	md-report analysis good >good.md &&
	while read -r line; do
		grep -qF -- "$line" evil.md || { echo "not shown: $line"; return 1; }
	done <shown
'

test_expect_success 'no line of the report starts what a crafted string began' '
	grep -n "^# Injected\\|^# H" evil.md >bad || :
	test_must_be_empty bad &&
	grep -c "$CR" evil.md >n || :
	test "$(cat n)" = 0 &&
	LC_ALL=C grep -c "$(printf "\\342\\200\\250")" evil.md >n || :
	test "$(cat n)" = 0
'

test_expect_success 'Mermaid titles show the unit name visibly, quotes and markup escaped' '
	grep "^    title " evil.md >titles &&
	cat >expect <<-\EOT &&
	    title "web\x3cimg src\x3dx onerror\x3dalert(7)\x3e\x7cx: heap in use (MiB)"
	    title "web\x3cimg src\x3dx onerror\x3dalert(7)\x3e\x7cx: CPU cores used per window"
	EOT
	test_cmp expect titles
'

test_expect_success 'the alerts of the e2e summary are shown in a fence no line closes' '
	sed -n "/^## Prometheus alerts/,/^## Recommendations/p" evil.md >got &&
	cat >expect <<-\EOT &&
	## Prometheus alerts

	As the e2e summary has them:

	````text
	<script>alert(5)</script>\\r<iframe src=x></iframe>|`
	```
	after the fence
	````

	## Recommendations
	EOT
	test_cmp expect got
'

test_expect_success 'rendered, the crafted report has the elements of the benign one, no more' '
	command -v node >/dev/null 2>&1 || { say "# skipped: needs node"; return 0; }
	[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { say "# skipped: needs chromium"; return 0; }
	[ -d "$R/node_modules/mermaid" ] || { say "# skipped: needs tests/render/node_modules"; return 0; }
	node "$R/render.mjs" evil.md evil.png evil.dom >evil.charts &&
	node "$R/render.mjs" good.md good.png good.dom >good.charts &&
	test_cmp good.charts evil.charts &&
	grep -v "^element code " good.dom >expect &&
	grep -v "^element code " evil.dom >actual &&
	test_cmp expect actual &&
	grep -c "^element h[1-4] " evil.dom >n &&
	test "$(cat n)" = 3 &&
	grep "^href \\|^attribute \\|^element \\(script\\|img\\|iframe\\|b\\|i\\) " evil.dom >bad || :
	printf "href #collection-health\n" >expect &&
	test_cmp expect bad
'

test_done
