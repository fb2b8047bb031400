# shellcheck shell=sh disable=SC2034,SC2154 # the globals: see e2e-profile
# e2e-profile part: collection: the run directory, the test, the pprof-fetch schedules,
# progress, the run verb and the collect verb.
# Sourced by e2e-profile; defines functions only. See e2e-profile for
# the globals that are the program's state.

# --- the run directory ----------------------------------------------------

# event UNIT EVENT DETAIL: one line of events.tsv (a URL's password
# masked), whole or not at all.
event() {
	_ev_d=$(masked "$3")
	printf '%s\t%s\t%s\t%s\n' "$(utc)" "$1" "$2" \
	    "$(printf '%s' "$_ev_d" | tr '\t\n' '  ')" >"$state/event.line"
	append "$run_dir/events.tsv" "$state/event.line" || lost 1 "line of events.tsv"
}

write_run_tsv() {
	_rt_units=$(units | tr '\n' ' ')
	_rt_units=${_rt_units% }
	_rt_kc=-
	[ "$run_transport" = url ] || _rt_kc=$cl_file
	# shellcheck disable=SC2046 # two words
	set -- $(main_times)
	atomic "$run_dir/run.tsv" printf '#key\tvalue\nname\t%s\ntarget\t%s\nexit_status\t%s\nstarted\t%s\nended\t%s\nduration_s\t%s\nnamespace\t%s\ninterval\t%s\ncpu_duration\t%s\nmode\t%s\ntransport\t%s\nunits\t%s\nkubeconfig\t%s\ncontext\t%s\ncluster\t%s\ncluster_created\t%s\nsettle\t%s\nsettle_start\t%s\nsettle_end\t%s\nmain_start\t%s\nmain_end\t%s\nmemstats_every\t%s\n' \
	    "$name" "$target" "$run_exit" "$run_started" "$run_ended" \
	    "$run_duration" "$namespace" "$interval" "$cpu_window" "$mode" \
	    "$run_transport" "${_rt_units:--}" "$_rt_kc" "${kctx:--}" \
	    "${cluster:--}" "$cl_created" "$settle_state" "$settle_start" \
	    "$settle_end" "$1" "$2" "$memstats_every" 2>"$state/append.err" ||
	    lost 1 "update of run.tsv"
}

# take_lock RUN: RUN/run.lock, the PID of the wrapper that owns the run
# directory (a run for its whole life, an analysis while it writes), made
# whole beside it and linked into place, which fails when it is there. A
# lock whose process is gone is taken over, saying so. Returns 1, the
# holder in lock_pid, when a live process holds it.
take_lock() {
	printf '%s\n' "$$" >"$1/.run.lock.$$" 2>"$state/append.err" ||
	    die "$1: cannot lock the run ($(sed -n '$s/.*: //p' "$state/append.err"))"
	while ! ln "$1/.run.lock.$$" "$1/run.lock" 2>/dev/null; do
		lock_pid=$(cat "$1/run.lock" 2>/dev/null || :)
		if is_uint "$lock_pid" && pid_alive "$lock_pid"; then
			rm -f "$1/.run.lock.$$"
			return 1
		fi
		say "$1: taking over the lock of PID ${lock_pid:-?}, which is gone"
		rm -f "$1/run.lock"
	done
	rm -f "$1/.run.lock.$$"
	locked=$1/run.lock
}

# release_lock: the lock goes, when it is still this wrapper's.
release_lock() {
	[ -n "${locked-}" ] || return 0
	[ "$(cat "$locked" 2>/dev/null)" != "$$" ] || rm -f "$locked"
	locked=
}

# A run directory is never replaced: refused, or with E2E_PROFILE_FORCE=1
# moved aside to NAME.N, once no wrapper holds its lock.
prepare_run_dir() {
	make_dir "$profile_dir"
	profile_dir=$(cd "$profile_dir" && pwd)
	run_dir=$profile_dir/$name
	if [ -e "$run_dir" ] || [ -L "$run_dir" ]; then
		if [ "$force" != 1 ]; then
			die "$run_dir exists: choose another NAME, remove it, or set E2E_PROFILE_FORCE=1 to move it aside to $name.N"
		fi
		if [ -d "$run_dir" ] && [ ! -L "$run_dir" ] && ! take_lock "$run_dir"; then
			die "$run_dir: in use by $PROG (PID $lock_pid): not moved aside"
		fi
		_pr_n=1
		while [ -e "$run_dir.$_pr_n" ] || [ -L "$run_dir.$_pr_n" ]; do
			_pr_n=$((_pr_n + 1))
		done
		mv "$run_dir" "$run_dir.$_pr_n" ||
		    die "$run_dir: cannot move it aside to $name.$_pr_n"
		[ -z "${locked-}" ] || rm -f "$run_dir.$_pr_n/run.lock"
		locked=
		say "moved the earlier run $name aside to $run_dir.$_pr_n"
	fi
	mkdir "$run_dir" 2>"$state/mkdir.err" ||
	    die "$run_dir: cannot create the directory ($(sed -n '$s/.*: //p' "$state/mkdir.err"))"
	take_lock "$run_dir" ||
	    die "$run_dir: in use by $PROG (PID $lock_pid)"
	printf '%s\n' "$FETCH_HEADER" >"$run_dir/collection.log"
	printf '#time\tunit\tevent\tdetail\n' >"$run_dir/events.tsv"
}

# suggest_gitignore: a run directory inside a git checkout that does not
# ignore it would be committed by a careless `git add`: said once a run.
suggest_gitignore() {
	command -v git >/dev/null 2>&1 || return 0
	_sg_top=$(git -C "$profile_dir" rev-parse --show-toplevel 2>/dev/null) ||
	    return 0
	! git -C "$profile_dir" check-ignore -q "$run_dir" 2>/dev/null || return 0
	_sg_rel=${profile_dir#"$_sg_top"/}
	[ "$_sg_rel" != "$profile_dir" ] || _sg_rel=$(basename "$profile_dir")
	say "$profile_dir is inside the git checkout $_sg_top and not ignored: consider adding '$_sg_rel/' to its .gitignore"
}

# --- the test -------------------------------------------------------------

# The test runs in a session (and process group) of its own where setsid
# exists, so that stopping it stops every process it started; elsewhere its
# process tree is walked with ps. Its output is the stream of follow.sh;
# the runner writes its status, state/test.rc, when make ends.
start_test() {
	test_session=0
	if command -v setsid >/dev/null 2>&1; then
		test_session=1
	fi
	start_stream run_make
	_tst_i=0
	while [ ! -s "$state/test.pid" ] && [ ! -e "$state/test.rc" ] &&
	    [ "$_tst_i" -lt 100 ]; do
		nap
		_tst_i=$((_tst_i + 1))
	done
	test_pid=$(cat "$state/test.pid" 2>/dev/null || :)
}

# run_make: make TARGET, its PID in state/test.pid, its status in
# state/test.rc.
run_make() {
	# shellcheck disable=SC2016 # expanded by the inner sh
	_rm_sh='printf "%s\n" "$$" >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"'
	_rm_rc=0
	if [ "$test_session" = 1 ]; then
		setsid sh -c "$_rm_sh" "$state/test.pid" make "$target" || _rm_rc=$?
	else
		sh -c "$_rm_sh" "$state/test.pid" make "$target" || _rm_rc=$?
	fi
	printf '%s\n' "$_rm_rc" >"$state/test.rc.tmp"
	mv "$state/test.rc.tmp" "$state/test.rc"
}

test_ended() {
	[ -e "$state/test.rc" ]
}

signal_test() {
	[ -n "$test_pid" ] || return 0
	if [ "$test_session" = 1 ]; then
		kill -s "$1" -- "-$test_pid" 2>/dev/null || :
	else
		# shellcheck disable=SC2046 # one word per process
		kill -s "$1" $(descendants "$test_pid") "$test_pid" 2>/dev/null || :
	fi
}

# stop_test SECONDS: SIGTERM to the test's processes (held ones let go
# first: a stopped process acts on no signal but SIGKILL), SIGKILL after
# SECONDS; then the stream's last lines.
stop_test() {
	[ -n "$test_waiter" ] || return 0
	if ! test_ended; then
		resume_test
		signal_test TERM
		_stt_i=0
		while ! test_ended && [ "$_stt_i" -lt $(($1 * 10)) ]; do
			nap
			_stt_i=$((_stt_i + 1))
		done
		if ! test_ended; then
			signal_test KILL
		fi
	fi
	drain_stream 5
	wait "$test_waiter" 2>/dev/null || :
	test_waiter=
}

# --- collection -----------------------------------------------------------

# next_seq UNIT: one past the highest number among its files and in its
# fetch logs, so a new collector never overwrites an earlier profile.
next_seq() {
	{
		printf '%s\n' "$run_dir/$1"/*.pprof |
		    sed -n 's|^.*/[a-z]*\([0-9][0-9]*\)\.pprof$|\1|p'
		for _ns_f in "$state/u/$1"/fetch.*.log; do
			[ ! -r "$_ns_f" ] || awk -F'\t' '!/^#/ { print $4 }' "$_ns_f"
		done
	} | awk 'BEGIN { m = -1 } $1 ~ /^[0-9]+$/ && $1 + 0 > m { m = $1 + 0 }
	    END { print m + 1 }'
}

# write_targets UNIT BASE final|schedule: pprof-fetch's target lines; the
# final round has no CPU profile (the test is over).
write_targets() {
	if [ "$mode" != cpu ]; then
		printf '%s\t%s\t%s\n' "$1" "$(profile_url heap "$2")" "$1/heap%d.pprof"
	fi
	if [ "$mode" != cpu ] && [ "$memstats_every" -gt 0 ] && [ "$3" = schedule ]; then
		printf '%s\t%s\t%s\tmemstats\t%s\n' "$1" "$2/debug/pprof/heap?debug=1" \
		    "$1/memstats%d.txt" "$memstats_every"
	fi
	if [ "$mode" != heap ] && [ "$3" = schedule ]; then
		printf '%s\t%s\t%s\n' "$1" "$(profile_url cpu "$2" "$cpu_window")" \
		    "$1/cpu%d.pprof"
	fi
	if [ "$goroutines" = 1 ]; then
		printf '%s\t%s\t%s\n' "$1" "$(profile_url goroutine "$2")" "$1/goroutine%d.pprof"
	fi
}

# profile_url KIND BASE [SECONDS]: the endpoint of a KIND profile (heap,
# cpu of SECONDS, goroutine) of the process served at BASE.
profile_url() {
	case $1 in
	heap) printf '%s\n' "$2/debug/pprof/heap?gc=1" ;;
	cpu) printf '%s\n' "$2/debug/pprof/profile?seconds=$3" ;;
	goroutine) printf '%s\n' "$2/debug/pprof/goroutine" ;;
	esac
}

# start_fetch UNIT BASE [final]: a pprof-fetch session, numbered on; its log
# is merged into collection.log when it ends.
start_fetch() {
	_sf_dir=$state/u/$1
	_sf_next=$(next_seq "$1")
	_sf_n=$(($(uget "$1" sessions) + 1))
	uset "$1" sessions "$_sf_n"
	uset "$1" flog "$_sf_dir/fetch.$_sf_n.log"
	uset "$1" base "$2"
	if [ "${3-}" = final ]; then
		write_targets "$1" "$2" final >"$_sf_dir/targets.$_sf_n.tsv"
		(cd "$run_dir" && exec pprof-fetch --timeout 10 --retries 1 \
		    --seq-start "$_sf_next" --targets "$_sf_dir/targets.$_sf_n.tsv") \
		    </dev/null >"$_sf_dir/fetch.$_sf_n.log" 2>"$_sf_dir/fetch.$_sf_n.err" &
		uset "$1" fpid "$!"
	else
		write_targets "$1" "$2" schedule >"$_sf_dir/targets.$_sf_n.tsv"
		(cd "$run_dir" && exec pprof-fetch --every "$interval" \
		    --note-file "$state/phase.note" \
		    --seq-start "$_sf_next" --targets "$_sf_dir/targets.$_sf_n.tsv") \
		    </dev/null >"$_sf_dir/fetch.$_sf_n.log" 2>"$_sf_dir/fetch.$_sf_n.err" &
		uset "$1" fpid "$!"
		if [ "$_sf_n" -gt 1 ]; then
			event "$1" reconnect "collecting from seq $_sf_next at $2"
		fi
	fi
}

# log_lines FILE: a pprof-fetch log without its header line.
log_lines() {
	awk 'NR > 1 || !/^#[^#]/' "$1"
}

# merge_log FILE [LOG]: a session's log joins collection.log, without its
# header, in whole lines; or joins LOG, manual/collection.log, which
# collects running at once share: appended (O_APPEND keeps each one's
# lines whole), not written again beside itself, which would lose the
# other's.
merge_log() {
	[ -r "$1" ] || return 0
	log_lines "$1" >"$1.lines"
	if [ -n "${2-}" ]; then
		cat "$1.lines" >>"$2"
	elif [ -s "$1.lines" ] && ! append "$run_dir/collection.log" "$1.lines"; then
		lost "$(wc -l <"$1.lines" | tr -d ' ')" "lines of collection.log"
	fi
	: >"$1.merged"
}

# stop_fetch UNIT: the collector stops (its fetches in flight are logged
# aborted) and its log is merged.
stop_fetch() {
	_stf_pid=$(uget "$1" fpid)
	[ -n "$_stf_pid" ] || return 0
	stop_pid "$_stf_pid" 5
	uset "$1" fpid ''
	merge_log "$(uget "$1" flog)"
}

# start_unit UNIT: transport, then collector. Sets the unit up, or down
# with a warning (tried again an interval later).
start_unit() {
	uset "$1" tried "$(now)"
	if ! open_transport "$1"; then
		unit_down "$1" "$transport_error"
		return 1
	fi
	start_fetch "$1" "$unit_base"
	uset "$1" state up
}

unit_down() {
	uset "$1" state down
	event "$1" transport-failed "$2"
	# Said on the terminal the first times only; events.tsv has them all.
	_ud_n=$(($(uget "$1" restarts) + 1))
	uset "$1" restarts "$_ud_n"
	if [ "$_ud_n" -le 3 ]; then
		warn "$1: $2; trying again in ${interval}s"
	fi
}

stop_unit() {
	stop_fetch "$1"
	stop_transport "$1"
}

# check_units: restarts dead transports and collectors, retries units
# that are down, at most once an interval each.
check_units() {
	for _cu_u in $(units); do
		[ -z "$interrupted" ] || return 0
		case $(uget "$_cu_u" state) in
		up)
			if ! transport_alive "$_cu_u"; then
				transport_died "$_cu_u"
			elif ! alive "$(uget "$_cu_u" fpid)"; then
				fetch_died "$_cu_u"
			fi
			;;
		down)
			if [ $(($(now) - $(uget "$_cu_u" tried))) -ge "$interval" ]; then
				start_unit "$_cu_u" || :
			fi
			;;
		esac
	done
}

transport_died() {
	if [ "$transport" = proxy ]; then
		# One proxy for all: restarted once (ensure_proxy says so), then
		# every unit reconnects through it.
		stop_fetch "$1"
		uset "$1" state down
		start_unit "$1" || :
		return 0
	fi
	_td_err=$(last_line "$state/u/$1/pf.err")
	stop_unit "$1"
	uset "$1" state down
	# The pod may be gone: look before connecting again.
	discover "$(uget "$1" comp)" || :
	[ "$(uget "$1" state)" = down ] || return 0
	[ "$(uget "$1" kind)" = pod ] || return 0
	_td_what="$transport to pod $(uget "$1" pod) exited${_td_err:+ ($_td_err)}"
	event "$1" transport-restarted "$_td_what"
	_td_n=$(($(uget "$1" restarts) + 1))
	uset "$1" restarts "$_td_n"
	if [ "$_td_n" -le 3 ]; then
		warn "$1: $_td_what; restarting it"
	fi
	start_unit "$1" || :
}

fetch_died() {
	_fd_pid=$(uget "$1" fpid)
	_fd_rc=0
	wait "$_fd_pid" 2>/dev/null || _fd_rc=$?
	uset "$1" fpid ''
	_fd_log=$(uget "$1" flog)
	merge_log "$_fd_log"
	if [ "$_fd_rc" -eq 2 ]; then
		warn "$1: $(last_line "${_fd_log%.log}.err"); not collecting from it"
		event "$1" collector-failed "$(last_line "${_fd_log%.log}.err")"
		stop_transport "$1"
		uset "$1" state failed
		return 0
	fi
	start_fetch "$1" "$(uget "$1" base)"
}

# final_profiles: one last heap profile (and goroutine profile) of every
# unit still connected, after the schedules stopped.
final_profiles() {
	_fp_pids=''
	for _fp_u in $(units); do
		[ "$(uget "$_fp_u" state)" = up ] || continue
		[ "$mode" != cpu ] || [ "$goroutines" = 1 ] || continue
		transport_alive "$_fp_u" || continue
		start_fetch "$_fp_u" "$(uget "$_fp_u" base)" final
		_fp_pids="$_fp_pids $_fp_u"
	done
	for _fp_u in $_fp_pids; do
		wait "$(uget "$_fp_u" fpid)" 2>/dev/null || :
		uset "$_fp_u" fpid ''
		merge_log "$(uget "$_fp_u" flog)"
	done
}

# --- progress -------------------------------------------------------------

# counts UNIT: "HEAP CPU GOROUTINE NEWEST_HEAP_FILE"
counts() {
	printf '%s\n' "$run_dir/$1"/*.pprof | awk '
		{ sub(/.*\//, "") }
		/^heap[0-9]+\.pprof$/ { h++; n = substr($0, 5) + 0
			if (f == "" || n > m) { m = n; f = $0 } }
		/^cpu[0-9]+\.pprof$/ { c++ }
		/^goroutine[0-9]+\.pprof$/ { g++ }
		END { printf "%d %d %d %s\n", h, c, g, f }'
}

heap_inuse() {
	pprof-decode -t inuse_space "$1" 2>/dev/null |
	    awk -F'\t' '!/^#/ { s += $1 } END { print s + 0 }'
}

# all_logs: the fetch log lines so far (merged and still running).
all_logs() {
	cat "$run_dir/collection.log"
	for _al_f in "$state"/u/*/fetch.*.log; do
		if [ -r "$_al_f" ] && [ ! -e "$_al_f.merged" ]; then
			cat "$_al_f"
		fi
	done
}

progress() {
	_pg_line=''
	for _pg_u in $(units); do
		# shellcheck disable=SC2046 # four words
		set -- $(counts "$_pg_u")
		_pg_part="$_pg_u"
		[ "$mode" = cpu ] || _pg_part="$_pg_part $1 heap"
		[ "$mode" = heap ] || _pg_part="$_pg_part $2 cpu"
		[ "$goroutines" = 0 ] || _pg_part="$_pg_part $3 goroutine"
		if [ -n "${4-}" ]; then
			_pg_part="$_pg_part, $(human "$(heap_inuse "$run_dir/$_pg_u/$4")") in use"
		fi
		case $(uget "$_pg_u" state) in
		waiting)
			_pg_c=$(uget "$_pg_u" comp)
			if [ "$(live_units "$_pg_c")" -ge "$(cat "$state/want.$_pg_c" 2>/dev/null || printf 1)" ]; then
				_pg_part="$_pg_part (scaled to $(cat "$state/want.$_pg_c"))"
			else
				_pg_part="$_pg_part (waiting for a pod)"
			fi
			;;
		ended) _pg_part="$_pg_part (cluster gone)" ;;
		down) _pg_part="$_pg_part (reconnecting)" ;;
		failed) _pg_part="$_pg_part (failed)" ;;
		esac
		_pg_line="$_pg_line${_pg_line:+ | }$_pg_part"
	done
	if [ "$uses_kubectl" = 1 ] && [ "$cl_state" != up ]; then
		_pg_line="$_pg_line${_pg_line:+ | }${cl_why:-looking for the cluster}"
	else
		# shellcheck disable=SC2013 # component names are single words
		for _pg_c in $(awk -F'\t' '$2 == "selector" { print $1 }' "$state/components"); do
			_pg_why=$(cat "$state/why.$_pg_c" 2>/dev/null || :)
			[ -n "$_pg_why" ] || [ -n "$(comp_units "$_pg_c")" ] ||
			    _pg_why="waiting for ready pods"
			[ -z "$_pg_why" ] || _pg_line="$_pg_line${_pg_line:+ | }$_pg_c: $_pg_why"
		done
	fi
	_pg_fail=$(all_logs | awk -F'\t' '$5 == "error" { n++ } END { print n + 0 }')
	_pg_fails=''
	[ "$_pg_fail" -eq 0 ] || _pg_fails=" | ${c_red}$_pg_fail failed$c_off"
	say "$(fmt_dur $(($(now) - t_start))) $_pg_line$_pg_fails"
}

# check_unreachable: a unit with no profile after some failed slots in a
# row most likely has no pprof server: say so once, and go on.
check_unreachable() {
	for _cr_u in $(units); do
		[ ! -e "$state/u/$_cr_u/unreachable" ] || continue
		[ "$(uget "$_cr_u" kind)" = url ] || [ "$(uget "$_cr_u" state)" = up ] ||
		    [ "$(uget "$_cr_u" state)" = down ] || continue
		# shellcheck disable=SC2046
		set -- $(counts "$_cr_u")
		[ $(($1 + $2 + $3)) -eq 0 ] || continue
		_cr_n=$(all_logs | awk -F'\t' -v u="$_cr_u" '$2 == u && $5 == "error"' | wc -l)
		[ "$_cr_n" -ge "$UNREACHABLE_AFTER" ] || continue
		_cr_err=$(all_logs | awk -F'\t' -v u="$_cr_u" '$2 == u && $5 == "error" { e = $9 } END { print e }')
		: >"$state/u/$_cr_u/unreachable"
		event "$_cr_u" pprof-unreachable "$_cr_err"
		# The upgrade targets install a release first, which has no
		# pprof: with HELM_SETTINGS asking for it, the upgraded pods
		# will have it.
		if upgrade_target && [ "$(upgrade_pprof)" = 1 ]; then
			say "$_cr_u: no profile in $_cr_n tries from pod $(uget "$_cr_u" pod), the release installed before the upgrade (it has no pprof); the upgraded pods are profiled when they come"
			continue
		fi
		warn "$_cr_u: no profile in $_cr_n tries ($_cr_err)"
		warn "$_cr_u: is pprof enabled? operator-controller and catalogd serve /debug/pprof only when started with --pprof-bind-address (e.g. --pprof-bind-address=:$pprof_port); the test goes on"
		! upgrade_target ||
		    warn "$_cr_u: the upgrade targets install a release without pprof, then upgrade it: HELM_SETTINGS=options.profiling.enabled=true gives pprof to the upgraded pods"
	done
}

# upgrade_target: operator-controller's upgrade targets (test-upgrade-*,
# test-st2ex-e2e) install a release, then upgrade it.
upgrade_target() {
	case $target in
	*upgrade* | *st2ex*) return 0 ;;
	esac
	return 1
}

# upgrade_pprof: 1 when HELM_SETTINGS turns profiling on for the manifests
# the upgrade installs.
upgrade_pprof() {
	case " ${HELM_SETTINGS-} " in
	*" options.profiling.enabled=true "*) printf '1\n' ;;
	*) printf '0\n' ;;
	esac
}

# --- run ------------------------------------------------------------------

on_signal() {
	case $phase in
	collecting)
		interrupted=$1
		;;
	*)
		printf '\n' >&2
		say "interrupted ($1); stopping now"
		case $1 in
		INT) exit 130 ;;
		HUP) exit 129 ;;
		*) exit 143 ;;
		esac
		;;
	esac
}

# tick: a second's pause that a signal cuts short.
tick() {
	sleep 1 &
	_tk_pid=$!
	wait "$_tk_pid" 2>/dev/null || :
	kill "$_tk_pid" 2>/dev/null || :
	wait "$_tk_pid" 2>/dev/null || :
}

cmd_run() {
	[ "$#" -le 2 ] || die_usage "run: too many arguments"
	name=baseline target=${E2E_PROFILE_TEST_TARGET:-test-experimental-e2e}
	[ "$#" -lt 1 ] || name=$1
	[ "$#" -lt 2 ] || target=$2
	check_name NAME "$name"
	case $target in
	'' | -* | *=* | *[[:space:]]*) die_usage "TARGET '$target': not a make target" ;;
	esac
	[ "${E2E_PROFILE_REPEAT:-1}" = 1 ] || { run_set "$name" "$target"; return; }
	load_config
	check_cpu_window
	parse_leases
	need_cmd make
	need_tools pprof-fetch pprof-decode line-stamp test-events
	check_patterns
	[ "$uses_kubectl" = 0 ] || need_cmd kubectl "E2E_PROFILE_COMPONENTS selects pods"
	if ! make -n "$target" </dev/null >"$state/make-n.out" 2>"$state/make-n.err"; then
		die_usage "make $target: $(last_line "$state/make-n.err")"
	fi
	prepare_run_dir
	suggest_gitignore
	run_transport=url
	[ "$uses_kubectl" = 0 ] || run_transport=$transport
	run_exit=- run_ended=- run_duration=- run_started=$(utc)
	settle_state=- settle_start=- settle_end=- held=''
	[ "$settle" -gt 0 ] || settle_state=off
	t_start=$(now)
	kc='' kctx='' cluster='' cl_file='' cl_created=- cl_state=down
	: >"$state/units"
	write_run_tsv
	if [ "$cpu_window" != "$cpu_duration" ] && [ "$mode" != heap ]; then
		say "CPU profiles of ${cpu_window}s: E2E_PROFILE_CPU_DURATION=$cpu_duration does not fit in E2E_PROFILE_INTERVAL=$interval"
	fi
	say "run $name: make $target; profiles every ${interval}s into $run_dir"
	[ -z "${E2E_SUMMARY_OUTPUT-}" ] ||
	    say "E2E_SUMMARY_OUTPUT is set: operator-controller's e2e targets then install Prometheus and scrape both managers; its summary is copied into the run"
	if upgrade_target && [ "$(upgrade_pprof)" = 0 ]; then
		say "make $target installs a release without pprof, then upgrades it: only HELM_SETTINGS=options.profiling.enabled=true gives pprof to the upgraded pods"
	fi

	test_pid='' test_waiter='' proxy_pid='' proxy_port='' interrupted=''
	phase=collecting
	: >"$state/started"
	[ "$uses_kubectl" = 0 ] || find_cluster
	start_test
	event - test-started "make $target"
	# Plain URLs are units from the start.
	# shellcheck disable=SC2013 # component names are single words
	for _r_c in $(awk -F'\t' '$2 == "url" { print $1 }' "$state/components"); do
		_r_s=$(awk -F'\t' -v n="$_r_c" '$1 == n { print $3 }' "$state/components")
		new_unit "$_r_c" "$_r_c" url
		uset "$_r_c" url "$_r_s"
		event "$_r_c" discovered "url $_r_s"
		start_unit "$_r_c" || :
	done
	write_run_tsv
	write_units_tsv
	collect_loop
	finish_run
}

collect_loop() {
	_cl_disc=0 _cl_prog=$(now)
	_cl_every=$interval
	[ "$_cl_every" -le 5 ] || _cl_every=5
	_cl_pevery=$interval
	[ "$_cl_pevery" -ge 5 ] || _cl_pevery=5
	while [ -z "$interrupted" ] && ! test_ended; do
		_cl_now=$(now)
		if [ "$uses_kubectl" = 1 ] && [ $((_cl_now - _cl_disc)) -ge "$_cl_every" ]; then
			discover_all
			_cl_disc=$_cl_now
		fi
		check_units
		phase_requests
		check_unreachable
		if [ $((_cl_now - _cl_prog)) -ge "$_cl_pevery" ]; then
			progress
			_cl_prog=$_cl_now
		fi
		[ -n "$interrupted" ] || tick
	done
}

finish_run() {
	phase=finishing
	# The run is the test's time, not the wrapper's clean-up.
	run_ended=$(utc)
	run_duration=$(($(now) - t_start))
	if [ -n "$interrupted" ]; then
		printf '\n' >&2
		say "interrupted ($interrupted): stopping the test and the collectors"
		event - interrupted "SIG$interrupted"
		# The test may have ended just before: then its status stands.
		! test_ended || run_exit=$(cat "$state/test.rc")
		stop_test 10
		[ "$settle_state" != - ] || settle_state="none: interrupted"
	fi
	if [ -z "$interrupted" ]; then
		drain_stream 5
		phase_requests
		settle_at_end
	fi
	for _fr_u in $(units); do
		stop_fetch "$_fr_u"
	done
	[ -n "$interrupted" ] || final_profiles
	for _fr_u in $(units); do
		stop_transport "$_fr_u"
	done
	stop_pid "$proxy_pid" 2
	proxy_pid=''
	if [ -z "$interrupted" ]; then
		run_exit=$(cat "$state/test.rc")
		stop_test 0
		event - test-ended "exit status $run_exit"
	fi
	copy_summary
	if [ "$uses_kubectl" = 1 ] && [ "$cl_state" = up ]; then
		poll_leases
	fi
	write_run_tsv
	write_units_tsv
	report_collection
	report_lost
	# Whatever the analysis gives, the test's status stands.
	if [ -e "$state/lost.said" ]; then
		warn "$run_dir: not analysed, as it could not be written to: run '$PROG analyze $name' once it can"
	else
		analyze_tsvs "$run_dir" || :
		if ! command -v md-report >/dev/null 2>&1; then
			printf '%s%s:%s %s\n' "$c_red" "$PROG" "$c_off" \
			    "md-report: command not found (build it with make): the analysis TSVs are in $run_dir/analysis, analysis.md is not written" >&2
		elif report_analysis "$run_dir"; then
			good "analysis: $run_dir/analysis.md"
		else
			warn "$run_dir/analysis.md: md-report failed"
		fi
	fi
	if [ -n "$interrupted" ]; then
		case $interrupted in
		INT) exit 130 ;;
		HUP) exit 129 ;;
		*) exit 143 ;;
		esac
	fi
	exit "$run_exit"
}

# The test wrote its summary (E2E_SUMMARY_OUTPUT, set by the user only: it
# makes operator-controller's targets install Prometheus): a copy joins the
# run.
copy_summary() {
	[ -n "${E2E_SUMMARY_OUTPUT-}" ] || return 0
	[ "$E2E_SUMMARY_OUTPUT" != "$run_dir/e2e-summary.md" ] || return 0
	[ -f "$E2E_SUMMARY_OUTPUT" ] || return 0
	if [ -n "$(find "$E2E_SUMMARY_OUTPUT" -newer "$state/started" 2>/dev/null)" ]; then
		atomic "$run_dir/e2e-summary.md" cat "$E2E_SUMMARY_OUTPUT" || :
	fi
}

report_collection() {
	if [ -n "$interrupted" ]; then
		say "test make $target interrupted after $(fmt_dur "$run_duration")"
	elif [ "$run_exit" = 0 ]; then
		good "test make $target passed in $(fmt_dur "$run_duration")"
	else
		warn "test make $target failed (exit status $run_exit) after $(fmt_dur "$run_duration"); its output: $run_dir/test.log"
		tail -n 15 "$run_dir/test.log" | sed 's/^/    /' >&2
	fi
	[ -n "$(units)" ] || warn "no unit was profiled"
	for _rc_u in $(units); do
		# shellcheck disable=SC2046
		set -- $(counts "$_rc_u")
		_rc_p=''
		[ "$mode" = cpu ] || _rc_p="$1 heap"
		[ "$mode" = heap ] || _rc_p="$_rc_p${_rc_p:+, }$2 cpu"
		[ "$goroutines" = 0 ] || _rc_p="$_rc_p, $3 goroutine"
		say "$_rc_u: $_rc_p profiles"
		if [ $(($1 + $2 + $3)) -eq 0 ]; then
			warn "$_rc_u: no profile at all: is pprof enabled (--pprof-bind-address)? see $run_dir/collection.log"
		fi
	done
}

# --- collect --------------------------------------------------------------

cmd_collect() {
	[ "$#" -le 1 ] || die_usage "collect: too many arguments"
	load_config
	need_tools pprof-fetch
	_co_c=${1-}
	if [ -z "$_co_c" ]; then
		_co_c=$(awk -F'\t' '$1 == "operator-controller" { o = $1 }
		    NR == 1 { f = $1 } END { print (o != "" ? o : f) }' \
		    "$state/components")
	fi
	_co_line=$(awk -F'\t' -v n="$_co_c" '$1 == n' "$state/components")
	[ -n "$_co_line" ] || die_usage "collect: no component '$_co_c' in E2E_PROFILE_COMPONENTS ($(cut -f1 "$state/components" | tr '\n' ' '| sed 's/ $//'))"
	make_dir "$profile_dir/manual"
	profile_dir=$(cd "$profile_dir" && pwd)
	run_dir=$state/collect
	mkdir -p "$run_dir"
	: >"$state/units"
	proxy_pid='' proxy_port='' name=manual interrupted=''
	_co_kind=$(printf '%s\n' "$_co_line" | cut -f2)
	_co_spec=$(printf '%s\n' "$_co_line" | cut -f3)
	if [ "$_co_kind" = url ]; then
		new_unit "$_co_c" "$_co_c" url
		uset "$_co_c" url "$_co_spec"
	else
		need_cmd kubectl
		collect_cluster
		list_pods "$_co_spec" ||
		    die "$_co_c: kubectl get pods: $(last_line "$state/kubectl.err")"
		usable_pods >"$state/usable"
		[ -s "$state/usable" ] ||
		    die "$_co_c: no ready pod with labels $_co_spec in namespace $namespace"
		_co_n=$(wc -l <"$state/usable" | tr -d ' ')
		_co_i=0
		while IFS="$(printf '\t')" read -r _co_pod _co_uid; do
			_co_u=$_co_c
			[ "$_co_n" -eq 1 ] || _co_u=$_co_c-$_co_i
			new_unit "$_co_u" "$_co_c" pod
			uset "$_co_u" pod "$_co_pod"
			uset "$_co_u" uid "$_co_uid"
			_co_i=$((_co_i + 1))
		done <"$state/usable"
	fi
	phase=collect
	collect_now "$_co_c"
}

# claim_name BASE: BASE.pprof, else BASE.2.pprof, BASE.3.pprof..., the
# first name that no file of manual/ has and no other collect claimed (its
# claim, manual/.NAME.claim, is made exclusively and removed once the
# fetch ended), so that two collects in one second get two files.
# pprof-fetch --no-clobber never replaces a file all the same.
claim_name() {
	_cm_n=1 _cm_f=$1.pprof
	while [ -e "$profile_dir/manual/$_cm_f" ] ||
	    ! (set -C && : >"$profile_dir/manual/.$_cm_f.claim") 2>/dev/null; do
		_cm_n=$((_cm_n + 1))
		_cm_f=$1.$_cm_n.pprof
		[ "$_cm_n" -le 100 ] || die "$profile_dir/manual: cannot claim a file name for $1"
	done
	printf '%s\n' "$profile_dir/manual/.$_cm_f.claim" >>"$state/claims"
	printf '%s\n' "$_cm_f"
}

# collect_now COMP: every unit's profiles now, into manual/, with
# fetch_bg and fetch_wait (follow.sh), as the baseline and settle ones.
collect_now() {
	_cn_ts=$(date -u +%Y%m%dT%H%M%SZ)
	_cn_i=0 _cn_n=$(units | wc -l | tr -d ' ')
	_cn_rc=0
	: >"$state/collect.list"
	for _cn_u in $(units); do
		_cn_suf=''
		[ "$_cn_n" -eq 1 ] || _cn_suf=-$_cn_i
		_cn_i=$((_cn_i + 1))
		if ! open_transport "$_cn_u"; then
			# No proxy is no profile of any unit; a port-forward is one's.
			[ "$transport" = port-forward ] || die "$transport_error"
			warn "$_cn_u: $transport_error"
			_cn_rc=1
			continue
		fi
		case $mode in
		both) _cn_kinds='heap cpu' ;;
		*) _cn_kinds=$mode ;;
		esac
		[ "$goroutines" = 0 ] || _cn_kinds="$_cn_kinds goroutine"
		for _cn_k in $_cn_kinds; do
			_cn_f=manual/$(claim_name "$_cn_k-$_cn_ts$_cn_suf")
			fetch_bg "$_cn_u" "$_cn_k" - "$profile_dir" --no-clobber \
			    -o "$_cn_f" "$(profile_url "$_cn_k" "$unit_base" "$cpu_duration")"
			printf '%s %s %s\n' "$_cn_u" "$_cn_k" "$_cn_f" >>"$state/collect.list"
		done
	done
	[ -s "$state/collect.list" ] || exit 1
	[ "$mode" = heap ] || say "CPU profiles take ${cpu_duration}s"
	[ -s "$profile_dir/manual/collection.log" ] ||
	    printf '%s\n' "$FETCH_HEADER" >"$profile_dir/manual/collection.log"
	for _cn_u in $(units); do
		fetch_wait "$_cn_u" "$profile_dir/manual/collection.log" || _cn_rc=1
	done
	while read -r _cn_u _cn_k _cn_f; do
		_cn_log=$state/u/$_cn_u/$_cn_k.log
		if awk -F'\t' '$5 == "ok" { f = 1 } END { exit !f }' "$_cn_log"; then
			_cn_from=$(uget "$_cn_u" pod)
			say "$profile_dir/$_cn_f: $_cn_k profile of $_cn_u${_cn_from:+ (pod $_cn_from)}"
		else
			warn "$_cn_u: $_cn_k: $(awk -F'\t' '$5 == "error" { e = $9 } END { print e }' "$_cn_log")"
		fi
		rm -f "$profile_dir/manual/.$(basename "$_cn_f").claim"
	done <"$state/collect.list"
	for _cn_u in $(units); do
		stop_transport "$_cn_u"
	done
	stop_pid "$proxy_pid" 2
	proxy_pid=''
	exit "$_cn_rc"
}
