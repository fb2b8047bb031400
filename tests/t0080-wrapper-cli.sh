#!/bin/sh
test_description='e2e-profile: usage errors exit 2, names and settings checked (decimal, within pprof-fetch'"'"'s bounds, names within NAME_MAX, only http URLs, no password shown), an existing run never replaced, POSIX sh'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

command -v dash >/dev/null 2>&1 || skip_all 'needs dash'

usage_text() {
	cat <<-EOF
	usage: e2e-profile run [NAME [TARGET]]
	       e2e-profile analyze [NAME]
	       e2e-profile compare A B
	       e2e-profile compare --write-budget FILE [--margin PCT] BASELINE
	       e2e-profile collect [COMPONENT]
	       e2e-profile check RUN [--budget FILE] [--baseline RUN] [--step-summary FILE]
	       e2e-profile pprof [NAME]
	       e2e-profile help
	EOF
}

# check_usage MESSAGE ARGS...: exit 2, MESSAGE then the usage on stderr,
# nothing on stdout, no run directory made.
check_usage() {
	want=$1
	shift
	test_expect_code 2 dash "$E2E" "$@" >stdout 2>stderr &&
	{ echo "e2e-profile: $want" && usage_text; } >expect &&
	test_cmp expect stderr &&
	test_must_be_empty stdout &&
	test ! -e "$E2E_PROFILE_DIR"
}

test_expect_success 'no command' '
	check_usage "no command given"
'

test_expect_success 'an unknown command' '
	check_usage "unknown command '"'frob'"'" frob
'

test_expect_success 'help: the usage, the commands and every setting on stdout, exit 0' '
	dash "$E2E" help >out 2>err &&
	test_must_be_empty err &&
	usage_text >expect &&
	head -n 8 out >actual &&
	test_cmp expect actual &&
	for v in NAMESPACE INTERVAL CPU_DURATION MODE GOROUTINES DIR TEST_TARGET \
	    COMPONENTS TRANSPORT PPROF_PORT READY_TIMEOUT FORCE; do
		grep -q "^  E2E_PROFILE_$v " out || { echo "no E2E_PROFILE_$v"; exit 1; }
	done &&
	grep -q "^  KUBECONFIG " out &&
	dash "$E2E" --help >out2 &&
	test_cmp out out2
'

test_expect_success '--version' '
	dash "$E2E" --version >out &&
	echo "e2e-profile 0.1.0" >expect &&
	test_cmp expect out
'

test_expect_success 'too many operands' '
	check_usage "run: too many arguments" run a sleep extra &&
	check_usage "analyze: too many arguments" analyze a b &&
	check_usage "compare: needs two run names" compare a &&
	check_usage "compare: needs two run names" compare a b c &&
	check_usage "collect: too many arguments" collect a b
'

test_expect_success 'bad run names' '
	check_usage "NAME '"''"': empty name" run "" sleep &&
	check_usage "NAME '"'-x'"': must not start with '"'-'"'" run -x sleep &&
	check_usage "NAME '"'..'"': must not be or contain '"'..'"'" run .. sleep &&
	check_usage "NAME '"'a..b'"': must not be or contain '"'..'"'" run a..b sleep &&
	check_usage "NAME '"'a/b'"': must not contain '"'/'"'" run a/b sleep &&
	check_usage "NAME '"'a b'"': only letters, digits, '"'.'"', '"'_'"' and '"'-'"'" run "a b" sleep &&
	check_usage "NAME '"'manual'"': reserved for e2e-profile'"'"'s own directory" run manual sleep &&
	check_usage "A '"'../x'"': must not be or contain '"'..'"'" compare ../x y &&
	check_usage "NAME '"'a/b'"': must not contain '"'/'"'" analyze a/b
'

test_expect_success 'bad targets' '
	check_usage "TARGET '"'-f'"': not a make target" run x -f &&
	check_usage "TARGET '"'A=1'"': not a make target" run x A=1 &&
	check_usage "make nosuch: make: *** No rule to make target '"'nosuch'"'.  Stop." run x nosuch
'

test_expect_success 'bad settings' '
	E2E_PROFILE_INTERVAL=0 check_usage "E2E_PROFILE_INTERVAL=0: not a whole number from 1 to 999999" run x sleep &&
	E2E_PROFILE_INTERVAL=1.5 check_usage "E2E_PROFILE_INTERVAL=1.5: not a whole number from 1 to 999999" run x sleep &&
	E2E_PROFILE_CPU_DURATION=x check_usage "E2E_PROFILE_CPU_DURATION=x: not a whole number from 1 to 999999" run x sleep &&
	E2E_PROFILE_READY_TIMEOUT=-1 check_usage "E2E_PROFILE_READY_TIMEOUT=-1: not a whole number from 0 to 999999999" run x sleep &&
	E2E_PROFILE_PPROF_PORT=70000 check_usage "E2E_PROFILE_PPROF_PORT=70000: not a whole number from 1 to 65535" run x sleep &&
	E2E_PROFILE_MODE=all check_usage "E2E_PROFILE_MODE=all: not both, heap or cpu" run x sleep &&
	E2E_PROFILE_TRANSPORT=ssh check_usage "E2E_PROFILE_TRANSPORT=ssh: not port-forward or proxy" run x sleep &&
	E2E_PROFILE_GOROUTINES=yes check_usage "E2E_PROFILE_GOROUTINES=yes: not 0 or 1" run x sleep &&
	E2E_PROFILE_FORCE=yes check_usage "E2E_PROFILE_FORCE=yes: not 0 or 1" run x sleep &&
	E2E_PROFILE_NAMESPACE="a;b" check_usage "E2E_PROFILE_NAMESPACE=a;b: not a namespace name" run x sleep
'

test_expect_success 'bad components' '
	E2E_PROFILE_COMPONENTS=" " check_usage "E2E_PROFILE_COMPONENTS is empty" run x sleep &&
	E2E_PROFILE_COMPONENTS="oc" check_usage "E2E_PROFILE_COMPONENTS: '"'oc'"' is not NAME=SELECTOR or NAME=URL" run x sleep &&
	E2E_PROFILE_COMPONENTS="oc=" check_usage "E2E_PROFILE_COMPONENTS: '"'oc='"' has no selector or URL" run x sleep &&
	E2E_PROFILE_COMPONENTS="=a=b" check_usage "E2E_PROFILE_COMPONENTS: bad component name '"''"'" run x sleep &&
	E2E_PROFILE_COMPONENTS="a/b=x=y" check_usage "E2E_PROFILE_COMPONENTS: bad component name '"'a/b'"'" run x sleep &&
	E2E_PROFILE_COMPONENTS="analysis=x=y" check_usage "E2E_PROFILE_COMPONENTS: component '"'analysis'"': a file of the run directory has that name" run x sleep &&
	E2E_PROFILE_COMPONENTS="a=x=y a=http://127.0.0.1:1" check_usage "E2E_PROFILE_COMPONENTS: component '"'a'"' given twice" run x sleep
'

test_expect_success 'bad leases' '
	E2E_PROFILE_LEASES="oc" check_usage "E2E_PROFILE_LEASES: '"'oc'"' is not COMPONENT=LEASE" run x sleep &&
	E2E_PROFILE_LEASES="catalogd=A_b" check_usage "E2E_PROFILE_LEASES: '"'catalogd=A_b'"': not a lease name" run x sleep &&
	E2E_PROFILE_LEASES="nope=l" check_usage "E2E_PROFILE_LEASES: '"'nope'"' is not a component that selects pods" run x sleep &&
	E2E_PROFILE_COMPONENTS="u=http://127.0.0.1:1" E2E_PROFILE_LEASES="u=l" \
	    check_usage "E2E_PROFILE_LEASES: '"'u'"' is not a component that selects pods" run x sleep
'

test_expect_success 'analyze or compare a run that does not exist: exit 1' '
	test_expect_code 1 dash "$E2E" analyze nope >out 2>err &&
	echo "e2e-profile: $E2E_PROFILE_DIR/nope: no such run" >expect &&
	test_cmp expect err &&
	mkdir -p "$E2E_PROFILE_DIR/a" &&
	test_expect_code 1 dash "$E2E" compare a nope >out 2>err &&
	test_cmp expect err &&
	rm -r "$E2E_PROFILE_DIR"
'

# A component whose URL refuses connections: pprof not enabled, but the
# test runs to its end all the same. No Go needed.
test_expect_success 'pprof unreachable at a URL: said, the test runs to its end, exit 0' '
	TEST_SECONDS=4 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
	    E2E_PROFILE_COMPONENTS=oc=http://127.0.0.1:1 \
	    dash "$E2E" run r sleep >out 2>err &&
	grep "^e2e-profile: warning: oc: no profile in [0-9]* tries (cannot connect: " err &&
	grep "^e2e-profile: warning: oc: is pprof enabled?.*--pprof-bind-address" err &&
	grep "^test: done$" "$E2E_PROFILE_DIR/r/test.log" &&
	test "$(awk -F"\t" "\$1 == \"exit_status\" { print \$2 }" "$E2E_PROFILE_DIR/r/run.tsv")" = 0
'

test_expect_success 'an existing run directory is refused, exit 1, and left alone' '
	(cd "$E2E_PROFILE_DIR" && find r -type f | sort | xargs cksum) >before &&
	test_expect_code 1 dash "$E2E" run r sleep >out 2>err &&
	echo "e2e-profile: $E2E_PROFILE_DIR/r exists: choose another NAME, remove it, or set E2E_PROFILE_FORCE=1 to move it aside to r.N" >expect &&
	test_cmp expect err &&
	(cd "$E2E_PROFILE_DIR" && find r -type f | sort | xargs cksum) >after &&
	test_cmp before after
'

test_expect_success 'E2E_PROFILE_FORCE=1 moves it aside to NAME.1, then NAME.2' '
	for n in 1 2; do
		TEST_SECONDS=1 E2E_PROFILE_FORCE=1 E2E_PROFILE_MODE=heap \
		    E2E_PROFILE_COMPONENTS=oc=http://127.0.0.1:1 \
		    dash "$E2E" run r sleep >out 2>err &&
		grep "^e2e-profile: moved the earlier run r aside to $E2E_PROFILE_DIR/r.$n$" err || exit 1
	done &&
	(cd "$E2E_PROFILE_DIR/r.1" && find . -type f | sort | xargs cksum | sed "s| \./| r/|") >after &&
	test_cmp before after &&
	ls "$E2E_PROFILE_DIR" >actual &&
	printf "r\nr.1\nr.2\n" >expect &&
	test_cmp expect actual
'

# Settings, names and components, each with a unit at a closed port: a
# run of a second, no Go needed.

test_expect_success 'leading zeros: decimal, not octal, not an error' '
	TEST_SECONDS=1 E2E_PROFILE_MODE=heap E2E_PROFILE_INTERVAL=09 \
	    E2E_PROFILE_READY_TIMEOUT=0010 E2E_PROFILE_COMPONENTS=oc=http://127.0.0.1:1 dash "$E2E" run z1 sleep >out 2>err &&
	test "$(run_tsv interval z1)" = 9 &&
	grep "^e2e-profile: run z1: make sleep; profiles every 9s into " err &&
	TEST_SECONDS=1 E2E_PROFILE_MODE=heap E2E_PROFILE_INTERVAL=0010 \
	    E2E_PROFILE_COMPONENTS=oc=http://127.0.0.1:1 dash "$E2E" run z2 sleep >out 2>err &&
	test "$(run_tsv interval z2)" = 10 &&
	TEST_SECONDS=1 E2E_PROFILE_INTERVAL=010 E2E_PROFILE_CPU_DURATION=08 \
	    E2E_PROFILE_COMPONENTS=oc=http://127.0.0.1:1 dash "$E2E" run z3 sleep >out 2>err &&
	test "$(run_tsv cpu_duration z3)" = 8 &&
	rm -r "$E2E_PROFILE_DIR"
'

test_expect_success 'the bounds are pprof-fetch'"'"'s: 999999 s at most' '
	E2E_PROFILE_INTERVAL=1000000 check_usage "E2E_PROFILE_INTERVAL=1000000: not a whole number from 1 to 999999" run x sleep &&
	E2E_PROFILE_INTERVAL=999999999 check_usage "E2E_PROFILE_INTERVAL=999999999: not a whole number from 1 to 999999" run x sleep &&
	E2E_PROFILE_CPU_DURATION=1000000 check_usage "E2E_PROFILE_CPU_DURATION=1000000: not a whole number from 1 to 999999" run x sleep &&
	E2E_PROFILE_PPROF_PORT=065536 check_usage "E2E_PROFILE_PPROF_PORT=065536: not a whole number from 1 to 65535" run x sleep
'

test_expect_success 'a 1 s interval: a CPU window longer than 1 s is refused, naming E2E_PROFILE_CPU_DURATION' '
	msg="E2E_PROFILE_CPU_DURATION=10 does not fit in E2E_PROFILE_INTERVAL=1: set E2E_PROFILE_CPU_DURATION=1, an interval of 2 or more, or E2E_PROFILE_MODE=heap" &&
	E2E_PROFILE_INTERVAL=1 check_usage "$msg" run x sleep &&
	E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=cpu check_usage "$msg" run x sleep
'

test_expect_success 'a 1 s interval with heap profiles only, or 1 s CPU windows, runs' '
	TEST_SECONDS=1 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
	    E2E_PROFILE_COMPONENTS=oc=http://127.0.0.1:1 dash "$E2E" run h1 sleep >out 2>err &&
	TEST_SECONDS=1 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_CPU_DURATION=1 \
	    E2E_PROFILE_COMPONENTS=oc=http://127.0.0.1:1 dash "$E2E" run c1 sleep >out 2>err &&
	test "$(run_tsv cpu_duration c1)" = 1 &&
	rm -r "$E2E_PROFILE_DIR"
'

long=$(printf "%0101d" 0)
test_expect_success 'a name longer than 100 characters: a usage error naming the limit' '
	check_usage "NAME '"'$long'"': longer than 100 characters" run "$long" sleep &&
	check_usage "NAME '"'$long'"': longer than 100 characters" analyze "$long" &&
	check_usage "B '"'$long'"': longer than 100 characters" compare a "$long" &&
	E2E_PROFILE_COMPONENTS="$long=http://127.0.0.1:1" check_usage "E2E_PROFILE_COMPONENTS: component '"'$long'"': longer than 100 characters" run x sleep
'

test_expect_success 'E2E_PROFILE_DIR starting with "-": a directory like any other' '
	TEST_SECONDS=1 E2E_PROFILE_MODE=heap E2E_PROFILE_DIR=-runs \
	    E2E_PROFILE_COMPONENTS=oc=http://127.0.0.1:1 dash "$E2E" run r sleep >out 2>err &&
	grep "^e2e-profile: run r: make sleep; profiles every 10s into $TRASH/-runs/r$" err &&
	test "$(awk -F"\t" "\$1 == \"name\" { print \$2 }" ./-runs/r/run.tsv)" = r &&
	E2E_PROFILE_DIR=-runs dash "$E2E" analyze r >out 2>err &&
	test -d ./-runs/r/analysis &&
	rm -r ./-runs
'

test_expect_success 'E2E_PROFILE_DIR that cannot be made: one line, the reason, no mkdir message' '
	d=$TRASH/$(printf "%0300d" 0)/runs &&
	test_expect_code 1 env E2E_PROFILE_DIR="$d" TEST_SECONDS=1 E2E_PROFILE_MODE=heap \
	    E2E_PROFILE_COMPONENTS=oc=http://127.0.0.1:1 dash "$E2E" run r sleep >out 2>err &&
	echo "e2e-profile: $d: cannot create the directory (File name too long)" >expect &&
	test_cmp expect err
'

test_expect_success 'a component named as a file of the run directory: a usage error before the test' '
	for n in test.log run.tsv events.tsv collection.log analysis.md analysis \
	    e2e-summary.md manual comparisons units.tsv test-events.tsv run.lock; do
		E2E_PROFILE_COMPONENTS="$n=http://127.0.0.1:1" check_usage "E2E_PROFILE_COMPONENTS: component '"'"'$n'"'"': a file of the run directory has that name" run x sleep || exit 1
	done
'

test_expect_success 'file://, ftp:// and other URLs: unsupported, not a label selector' '
	E2E_PROFILE_COMPONENTS="a=file:///etc/passwd" check_usage "E2E_PROFILE_COMPONENTS: component '"'a'"': file:///etc/passwd: unsupported URL (only http:// and https://)" run x sleep &&
	E2E_PROFILE_COMPONENTS="a=ftp://u:pw@127.0.0.1/x" check_usage "E2E_PROFILE_COMPONENTS: component '"'a'"': ftp://u:***@127.0.0.1/x: unsupported URL (only http:// and https://)" run x sleep
'

if test_have_prereq GO; then
	test_setup 'a workload' '
		start_server W workload -cpu 0.1
	'
	test_expect_success 'a password in a component URL: used, and found nowhere' '
		url=$(printf "%s\n" "$W" | sed "s|://|://user:s3cret@|") &&
		TEST_SECONDS=3 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_CPU_DURATION=1 \
		    E2E_PROFILE_COMPONENTS="demo=$url" dash "$E2E" run pw sleep >out 2>err &&
		test "$(ls "$E2E_PROFILE_DIR/pw/demo" | grep -c "^heap")" -ge 2 &&
		! grep -r -l s3cret "$E2E_PROFILE_DIR/pw" out err &&
		awk -F"\t" "\$3 == \"discovered\" { print \$4 }" "$E2E_PROFILE_DIR/pw/events.tsv" >actual &&
		echo "url $(printf "%s\n" "$W" | sed "s|://|://user:***@|")" >expect &&
		test_cmp expect actual &&
		E2E_PROFILE_MODE=heap E2E_PROFILE_COMPONENTS="demo=$url" dash "$E2E" collect >out 2>err &&
		! grep -r -l s3cret "$E2E_PROFILE_DIR" out err
	'
else
	test_skip 'a password in a component URL' 'needs go and the Go test programs (make go-progs)'
fi

test_expect_success 'the wrapper is POSIX sh: dash parses it, shellcheck -s sh is clean' '
	parts=$TEST_ROOT/scripts/e2e-profile.d &&
	for f in "$E2E" "$parts"/*.sh; do
		dash -n "$f" || return 1
	done &&
	if command -v shellcheck >/dev/null 2>&1; then
		shellcheck -x -s sh "$E2E" "$TESTS/lib-wrapper.sh" "$TEST_ROOT/tests/demo/run.sh" \
		    "$TEST_ROOT/tests/demo/drive.sh" &&
		# The parts as the one program they are (shellcheck -x reads
		# them for the script but reports on the script alone).
		cat "$E2E" "$parts"/*.sh >whole &&
		shellcheck -s sh -e SC1091 whole
	else
		echo "# shellcheck not installed: skipped" >&2
	fi &&
	head -n 1 "$E2E" >actual &&
	echo "#!/bin/sh" >expect &&
	test_cmp expect actual &&
	! grep -n -E "^[[:space:]]*(echo|local|function|source) " "$E2E" "$parts"/*.sh &&
	wc -l "$E2E" "$parts"/*.sh >lines &&
	awk "\$2 != \"total\" && \$1 > 1000" lines >long &&
	test_must_be_empty long
'

test_expect_success 'the man page is mdoc without warnings' '
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -T lint -W warning "$TEST_ROOT/scripts/e2e-profile.1"
	else
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$TEST_ROOT/scripts/e2e-profile.1" >page 2>warnings &&
		test_must_be_empty warnings &&
		grep -q "^FILES" page
	fi
'

test_done
