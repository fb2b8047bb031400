# shellcheck shell=sh
# tests/lib.sh - the test library every tests/tNNNN-*.sh script sources.
#
# Modelled on git's t/test-lib.sh: a script sets test_description, sources
# this file, then runs test_expect_success 'behaviour' 'body' blocks and
# ends with test_done. Bodies chain their commands with && so the first
# failure fails the test; output is TAP for prove. Each script runs in its
# own empty directory (tests/trash/SCRIPT), where fixtures are built.
#
#   test_cmp expect actual      diff -u; the difference is the failure report
#   test_must_fail cmd...       cmd must fail cleanly: exit 1..125, not a
#                               signal, not a sanitizer report
#   test_expect_code N cmd...   cmd must exit with exactly N
#   test_have_prereq NAME       CORPUS (../shared/corpus), GO (go and the
#                               Go test programs in GOBIN)
#   skip_all 'reason'           skip the whole script
#
# Environment: BIN (programs under test, default bin/), UNITBIN (built test
# helpers and unit tests, default build/tests), GOBIN (the Go test
# programs, default build/go), CORPUS.

set -u

TEST_ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$TEST_ROOT/bin}
UNITBIN=${UNITBIN:-$TEST_ROOT/build/tests}
GOBIN=${GOBIN:-$TEST_ROOT/build/go}
CORPUS=${CORPUS:-$TEST_ROOT/../shared/corpus}
TESTS=$TEST_ROOT/tests
PATH=$BIN:$UNITBIN:$PATH
export BIN UNITBIN GOBIN CORPUS TESTS PATH

# A sanitizer report must never pass for an ordinary refusal.
SANITIZER_EXIT=86
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=$SANITIZER_EXIT
UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=$SANITIZER_EXIT
LC_ALL=C
TZ=UTC
export ASAN_OPTIONS UBSAN_OPTIONS LC_ALL TZ
# Run under make test or by hand, a test sees the same make: no inherited
# level or flags (which add "Entering directory" lines, -j, -s ...).
unset MAKELEVEL MAKEFLAGS MFLAGS

test_count=0
test_failed=0
test_name=$(basename "$0" .sh)
TRASH=$TEST_ROOT/tests/trash/$test_name
rm -rf "$TRASH"
mkdir -p "$TRASH"
cd "$TRASH" || exit 1

say() {
	printf '# %s\n' "$@" >&2
}

test_expect_success() {
	test_count=$((test_count + 1))
	if (eval "set -u; $2") >"$TRASH/.out" 2>&1; then
		printf 'ok %d - %s\n' "$test_count" "$1"
	else
		test_failed=$((test_failed + 1))
		printf 'not ok %d - %s\n' "$test_count" "$1"
		sed 's/^/#   /' "$TRASH/.out" >&2
	fi
}

# A setup step whose variables and cwd later tests see: run in this shell.
# A body may end early with "return 1": give it a function to return from.
_tl_eval() {
	eval "$1"
}

test_setup() {
	test_count=$((test_count + 1))
	if _tl_eval "$2" >"$TRASH/.out" 2>&1; then
		printf 'ok %d - %s\n' "$test_count" "$1"
	else
		test_failed=$((test_failed + 1))
		printf 'not ok %d - %s\n' "$test_count" "$1"
		sed 's/^/#   /' "$TRASH/.out" >&2
	fi
}

test_skip() {
	test_count=$((test_count + 1))
	printf 'ok %d # skip %s (%s)\n' "$test_count" "$1" "$2"
}

test_cmp() {
	diff -u "$1" "$2"
}

test_must_fail() {
	"$@"
	_tl_rc=$?
	if [ "$_tl_rc" -eq 0 ]; then
		echo "test_must_fail: command succeeded: $*"
		return 1
	elif [ "$_tl_rc" -eq "$SANITIZER_EXIT" ]; then
		echo "test_must_fail: sanitizer report: $*"
		return 1
	elif [ "$_tl_rc" -gt 125 ]; then
		echo "test_must_fail: died (exit $_tl_rc): $*"
		return 1
	fi
	return 0
}

test_expect_code() {
	_tl_want=$1
	shift
	"$@"
	_tl_rc=$?
	if [ "$_tl_rc" -ne "$_tl_want" ]; then
		echo "test_expect_code: want exit $_tl_want, got $_tl_rc: $*"
		return 1
	fi
	return 0
}

# Fails with a message unless the file is empty.
test_must_be_empty() {
	if [ -s "$1" ]; then
		echo "'$1' is not empty, it contains:"
		cat "$1"
		return 1
	fi
}

test_have_prereq() {
	case $1 in
	CORPUS) [ -d "$CORPUS/profiles" ] ;;
	GO) command -v go >/dev/null 2>&1 && [ -x "$GOBIN/workload" ] ;;
	*) echo "unknown prerequisite $1" >&2; return 1 ;;
	esac
}

# start_server VAR PROG [ARGS...]: starts a Go test program (GOBIN/PROG)
# on a free loopback port, waits for it to listen, and sets VAR to its
# base URL. Every server started so is killed when the script ends.
test_servers=
start_server() {
	_tl_var=$1 _tl_prog=$2
	shift 2
	rm -f "$TRASH/$_tl_var.addr"
	"$GOBIN/$_tl_prog" -addr 127.0.0.1:0 -addr-file "$TRASH/$_tl_var.addr" \
	    "$@" >"$TRASH/$_tl_var.log" 2>&1 &
	test_servers="$test_servers $!"
	eval "${_tl_var}_pid=$!"
	_tl_i=0
	while [ ! -s "$TRASH/$_tl_var.addr" ]; do
		_tl_i=$((_tl_i + 1))
		if [ "$_tl_i" -gt 100 ]; then
			echo "start_server: $_tl_prog did not start"
			cat "$TRASH/$_tl_var.log"
			return 1
		fi
		sleep 0.1
	done
	eval "$_tl_var=\$(cat \"\$TRASH/\$_tl_var.addr\")"
}

stop_servers() {
	for _tl_pid in $test_servers; do
		kill "$_tl_pid" 2>/dev/null
	done
	for _tl_pid in $test_servers; do
		wait "$_tl_pid" 2>/dev/null
	done
	test_servers=
}
trap 'stop_servers' EXIT
trap 'stop_servers; exit 130' INT TERM

skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

test_done() {
	stop_servers
	printf '1..%d\n' "$test_count"
	cd "$TEST_ROOT" || exit 1
	if [ "$test_failed" -eq 0 ]; then
		rm -rf "$TRASH"
		exit 0
	fi
	say "$test_failed of $test_count failed; fixtures kept in $TRASH"
	exit 1
}
