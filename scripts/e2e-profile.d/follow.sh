# shellcheck shell=sh disable=SC2034,SC2154 # the globals: see e2e-profile
# e2e-profile part: the test's output as a stream (stamped, its events
# recognised live), the heap profile at each phase's start, the baseline at
# the main phase's start and the settle window when it ends.
# Sourced by e2e-profile; defines functions only. See e2e-profile for
# the globals that are the program's state.
#
# The test's output runs through a pipeline of filters while it runs:
#
#   make TARGET 2>&1 | tee -a test.log | line-stamp | tee test.stamped.log |
#       test-events | tee test-events.tsv | watch_events
#
# watch_events, a subshell of the wrapper, acts on a phase-start within
# milliseconds of its line: it signals every unit's pprof-fetch (SIGUSR1,
# the phase's name in state/phase.note), so that the phase's first heap
# profile is taken now; at the first main phase it asks for the baseline;
# at the first other phase after a main one it stops the test's process
# group (SIGSTOP) and asks for the settle window. The main loop, once a
# second, takes the baseline and the window (settle_window), then lets the
# test go on (SIGCONT). The state files: state/phase.note,
# state/baseline.request, state/main.end, state/held, state/settle.done,
# state/stream.done (the pipeline ended).

# is_main PHASE: PHASE is one of E2E_PROFILE_MAIN_PHASES.
is_main() {
	case " $main_phases " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# watch_events: reads test-events(1) rows; see above. Never fails: a
# reader that died would stop the test's output.
watch_events() {
	_we_main=0 _we_ended=0
	while IFS="$TAB" read -r _we_ns _we_t _we_kind _we_name; do
		[ "$_we_kind" = phase-start ] || continue
		mark_phase "$_we_name"
		if is_main "$_we_name"; then
			[ "$_we_main" = 0 ] || continue
			_we_main=1
			printf '%s\n' "$_we_t" >"$state/main.start"
			# The baseline is the settle window's reference.
			[ "$settle" -eq 0 ] || : >"$state/baseline.request"
		elif [ "$_we_main" = 1 ] && [ "$_we_ended" = 0 ]; then
			_we_ended=1
			[ "$settle" -eq 0 ] || hold_test
			printf '%s\t%s\n' "$_we_t" "$_we_name" >"$state/main.end"
		fi
	done
}

# mark_phase PHASE: every collector takes its next slot now (SIGUSR1), the
# phase's name the text of its mark lines. A collector whose log has no
# header yet may not catch the signal: it is left to its own grid.
mark_phase() {
	printf 'phase-start %s\n' "$1" >"$state/phase.note.tmp" &&
	    mv -f "$state/phase.note.tmp" "$state/phase.note"
	for _mp_u in $(units); do
		_mp_pid=$(uget "$_mp_u" fpid)
		if [ -n "$_mp_pid" ] && [ -s "$(uget "$_mp_u" flog)" ]; then
			kill -s USR1 "$_mp_pid" 2>/dev/null || :
		fi
	done
}

# hold_test: the test's processes stop where they are (SIGSTOP), so that
# what comes next (operator-controller's coverage step scales the
# deployments to zero) waits for the settle window.
hold_test() {
	test_pid=$(cat "$state/test.pid" 2>/dev/null || :)
	[ -n "$test_pid" ] || return 0
	utc >"$state/held"
	signal_test STOP
}

# resume_test: the test goes on (SIGCONT), when it was held.
resume_test() {
	[ -e "$state/held" ] || return 0
	signal_test CONT
	rm -f "$state/held"
	event - test-resumed "after the settle window"
}

# start_stream: the test (start_test's runner, in the first place of the
# pipeline) and the filters. Sets test_waiter.
start_stream() {
	_ss_pat=''
	[ -z "$patterns" ] || _ss_pat=$patterns
	(
		"$@" 2>&1 | tee -a "$run_dir/test.log" | line-stamp |
		    tee "$run_dir/test.stamped.log" |
		    test-events ${_ss_pat:+--patterns "$_ss_pat"} |
		    tee "$run_dir/test-events.tsv" | watch_events
		: >"$state/stream.done"
	) </dev/null >/dev/null 2>>"$state/stream.err" &
	test_waiter=$!
}

# drain_stream SECONDS: the filters have their last lines; a process the
# test left behind holding its output keeps them open, and after SECONDS
# they are stopped (the runner's children: the test's own processes have
# left that tree when it ended).
drain_stream() {
	_ds_i=0
	while [ ! -e "$state/stream.done" ] && [ "$_ds_i" -lt $(($1 * 10)) ]; do
		nap
		_ds_i=$((_ds_i + 1))
	done
	[ ! -e "$state/stream.done" ] || return 0
	warn "the test's output is still open (a process it left behind holds it): test-events.tsv may lack its last lines"
	# shellcheck disable=SC2046 # one word per process
	kill -s TERM $(descendants "$test_waiter") 2>/dev/null || :
}

# check_patterns: E2E_PROFILE_PATTERNS is a table test-events takes.
check_patterns() {
	[ -n "$patterns" ] || return 0
	test-events --patterns "$patterns" </dev/null >/dev/null 2>"$state/pat.err" ||
	    die_usage "E2E_PROFILE_PATTERNS=$patterns: $(last_line "$state/pat.err")"
}

# --- baseline and settle --------------------------------------------------

# fetch_bg UNIT NAME KIND DIR ARGS...: pprof-fetch ARGS in DIR in the
# background, its log state/u/UNIT/NAME.log (a one-round fetch, a settle
# schedule, a manual profile), noted in the unit's jobs for fetch_wait.
# KIND, unless -, names its lines in collection.log: target UNIT, kind
# KIND (pprof-fetch -o names them after the URL's host and path).
fetch_bg() {
	_fb_log=$state/u/$1/$2.log
	_fb_u=$1 _fb_k=$3 _fb_d=$4
	shift 4
	(cd "$_fb_d" && exec pprof-fetch "$@") </dev/null >"$_fb_log" 2>"$_fb_log.err" &
	printf '%s %s %s\n' "$!" "$_fb_k" "$_fb_log" >>"$state/u/$_fb_u/jobs"
}

# fetch_wait UNIT [LOG]: until the unit's jobs end (or an interrupt stops
# them); their logs join the run's collection.log, or LOG (merge_log).
# 1 when one failed.
fetch_wait() {
	_fw_rc=0
	[ -r "$state/u/$1/jobs" ] || return 0
	while read -r _fw_pid _fw_k _fw_log; do
		while [ -z "$interrupted" ] && alive "$_fw_pid"; do
			nap
		done
		[ -z "$interrupted" ] || stop_pid "$_fw_pid" 2
		wait "$_fw_pid" 2>/dev/null || _fw_rc=1
		if [ "$_fw_k" != - ] && [ -r "$_fw_log" ]; then
			awk -F'\t' -v OFS='\t' -v u="$1" -v k="$_fw_k" \
			    '!/^#[^#]/ { $2 = u; $3 = k } { print }' "$_fw_log" \
			    >"$_fw_log.named" && mv -f "$_fw_log.named" "$_fw_log"
		fi
		merge_log "$_fw_log" ${2+"$2"}
	done <"$state/u/$1/jobs"
	rm -f "$state/u/$1/jobs"
	return "$_fw_rc"
}

# serving: the units whose transport is up, one a line.
serving() {
	for _sv_u in $(units); do
		[ "$(uget "$_sv_u" state)" = up ] && transport_alive "$_sv_u" &&
		    printf '%s\n' "$_sv_u"
	done
}

# take_baseline: heap?gc=1 and goroutine profiles of every unit serving,
# UNIT/settle/baseline-*.pprof, as the main phase starts.
take_baseline() {
	rm -f "$state/baseline.request"
	: >"$state/baseline.done"
	for _tb_u in $(serving); do
		mkdir -p "$run_dir/$_tb_u/settle"
		_tb_b=$(uget "$_tb_u" base)
		fetch_bg "$_tb_u" baseline-heap baseline-heap "$run_dir" --timeout 10 \
		    --retries 1 -o "$_tb_u/settle/baseline-heap.pprof" \
		    "$(profile_url heap "$_tb_b")"
		fetch_bg "$_tb_u" baseline-goroutine baseline-goroutine "$run_dir" \
		    --timeout 10 --retries 1 -o "$_tb_u/settle/baseline-goroutine.pprof" \
		    "$(profile_url goroutine "$_tb_b")"
	done
	for _tb_u in $(units); do
		fetch_wait "$_tb_u" || :
	done
	event - baseline "main phase $(cat "$state/main.start" 2>/dev/null)"
}

# settle_window WHEN: over E2E_PROFILE_SETTLE seconds, a few heap?gc=1,
# goroutine and goroutineleak profiles of every unit serving, into
# UNIT/settle/, on one grid: 5 profiles of each (slots of a quarter of the
# window, the first at once). --max-failures 1: a target that fails a slot
# is given up, which is how a 404 (no goroutineleak) is said once. WHEN
# (main-end or test-end) goes to events.tsv.
settle_window() {
	_sw_when=$1
	: >"$state/settle.done"
	_sw_step=$(((settle + 3) / 4))
	_sw_n=$((settle / _sw_step + 1))
	_sw_units=$(serving)
	if [ -z "$_sw_units" ]; then
		settle_state="none: no unit served at the $_sw_when"
		event - settle "$settle_state"
		return 0
	fi
	say "settle window: ${settle}s of heap and goroutine profiles at the $_sw_when${held:+ (the test is held)}"
	[ -z "$held" ] || event - test-held "SIGSTOP for the settle window"
	for _sw_u in $_sw_units; do
		mkdir -p "$run_dir/$_sw_u/settle"
		_sw_b=$(uget "$_sw_u" base)
		{
			printf '%s\t%s\t%s\tsettle-heap\n' "$_sw_u" \
			    "$(profile_url heap "$_sw_b")" "$_sw_u/settle/heap%d.pprof"
			printf '%s\t%s\t%s\tsettle-goroutine\n' "$_sw_u" \
			    "$(profile_url goroutine "$_sw_b")" "$_sw_u/settle/goroutine%d.pprof"
			printf '%s\t%s\t%s\tsettle-goroutineleak\n' "$_sw_u" \
			    "$_sw_b/debug/pprof/goroutineleak" \
			    "$_sw_u/settle/goroutineleak%d.pprof"
		} >"$state/u/$_sw_u/settle.tsv"
		fetch_bg "$_sw_u" settle - "$run_dir" --every "$_sw_step" --count "$_sw_n" \
		    --timeout 10 --retries 1 --max-failures 1 \
		    --targets "$state/u/$_sw_u/settle.tsv"
	done
	for _sw_u in $_sw_units; do
		fetch_wait "$_sw_u" || :
		if awk -F'\t' '$3 == "settle-goroutineleak" && $5 == "error" &&
		    $6 == 404 { f = 1 } END { exit !f }' "$state/u/$_sw_u/settle.log"; then
			event "$_sw_u" goroutineleak "not served (HTTP 404)"
		fi
	done
	# The window is the times of its first and last profiles.
	# shellcheck disable=SC2046 # two words
	set -- $(for _sw_u in $_sw_units; do log_lines "$state/u/$_sw_u/settle.log"; done |
	    awk -F'\t' '!/^#/ && $5 == "ok" { if (s == "" || $1 < s) s = $1
		if ($1 > e) e = $1 } END { print (s == "" ? "-" : s), (e == "" ? "-" : e) }')
	settle_start=$1 settle_end=$2
	if [ -n "$interrupted" ]; then
		settle_state="none: interrupted"
	elif ls "$run_dir"/*/settle/heap0.pprof >/dev/null 2>&1; then
		settle_state='done'
	else
		settle_state="none: no settle profile (see collection.log)"
	fi
	event - settle "$settle_state at the $_sw_when"
}

# phase_requests: the baseline and the settle window watch_events asked
# for, then the test resumed.
phase_requests() {
	if [ -e "$state/baseline.request" ] && [ ! -e "$state/baseline.done" ]; then
		take_baseline
	fi
	if [ -e "$state/main.end" ] && [ "$settle" -gt 0 ] &&
	    [ ! -e "$state/settle.done" ]; then
		held=
		[ ! -e "$state/held" ] || held=1
		settle_window "end of the main phase ($(cut -f2 "$state/main.end"))"
		resume_test
	fi
}

# settle_at_end: the window after the test, when none was taken and the
# pods still serve (a cluster the test keeps, plain URLs).
settle_at_end() {
	[ "$settle" -gt 0 ] && [ ! -e "$state/settle.done" ] || return 0
	held=
	settle_window "test's end"
}

# main_times: "main_start main_end" from test-events.tsv: the first main
# phase's start, and the start of the first other phase after it (else the
# main phase's end at the end of the output); - when not seen.
main_times() {
	awk -F'\t' -v mains=" $main_phases " '
	    !/^#/ && $3 == "phase-start" {
		m = index(mains, " " $4 " ") > 0
		if (m && s == "") s = $2
		else if (!m && s != "" && e == "") e = $2
	    }
	    !/^#/ && $3 == "phase-end" && s != "" && e == "" &&
	        index(mains, " " $4 " ") > 0 { last = $2 }
	    END {
		if (e == "") e = last
		printf "%s %s\n", s == "" ? "-" : s, e == "" ? "-" : e
	    }' "$run_dir/test-events.tsv" 2>/dev/null || printf -- '- -\n'
}
