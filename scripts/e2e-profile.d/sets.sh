# shellcheck shell=sh disable=SC2034,SC2154 # the globals: see e2e-profile
# e2e-profile part: run sets and the check verb.
# Sourced by e2e-profile; defines functions only. See e2e-profile for
# the globals that are the program's state.

# --- run sets -------------------------------------------------------------

# run_set NAME TARGET: E2E_PROFILE_REPEAT runs of the target, each one a
# run of its own, NAME.1 to NAME.N, made by this script; NAME.set names
# those that were made, rewritten after each. Returns the status of the
# first test that failed, 0 when all passed; a signal stops the set once
# the run in progress has stopped and been analysed.
run_set() {
	_rs_n=$(uint_env E2E_PROFILE_REPEAT "${E2E_PROFILE_REPEAT-}" 1 1 100) ||
	    exit 2
	profile_dir=$(dir_env)
	mkdir -p "$profile_dir" || die "$profile_dir: cannot create the directory"
	profile_dir=$(cd "$profile_dir" && pwd)
	if [ "${E2E_PROFILE_FORCE:-0}" != 1 ]; then
		_rs_i=1
		while [ "$_rs_i" -le "$_rs_n" ]; do
			[ ! -e "$profile_dir/$1.$_rs_i" ] ||
			    die "$profile_dir/$1.$_rs_i exists: choose another NAME, remove the set, or set E2E_PROFILE_FORCE=1"
			_rs_i=$((_rs_i + 1))
		done
		[ ! -e "$profile_dir/$1.set" ] ||
		    die "$profile_dir/$1.set exists: choose another NAME, remove the set, or set E2E_PROFILE_FORCE=1"
	fi
	: >"$state/set"
	_rs_sig='' _rs_rc=0 _rs_st=0 _rs_i=1
	trap '_rs_sig=INT' INT
	trap '_rs_sig=TERM' TERM
	trap '_rs_sig=HUP' HUP
	while [ "$_rs_i" -le "$_rs_n" ] && [ -z "$_rs_sig" ]; do
		say "set $1: run $_rs_i of $_rs_n"
		_rs_st=0
		E2E_PROFILE_REPEAT=1 E2E_PROFILE_DIR=$profile_dir \
		    sh "$0" run "$1.$_rs_i" "$2" || _rs_st=$?
		# A run that made no directory failed before it began.
		[ -d "$profile_dir/$1.$_rs_i" ] || break
		printf '%s\n' "$1.$_rs_i" >>"$state/set"
		atomic "$profile_dir/$1.set" set_file "$state/set"
		[ "$_rs_st" = 0 ] || [ "$_rs_rc" != 0 ] || _rs_rc=$_rs_st
		[ "$_rs_st" -lt 128 ] || break
		_rs_i=$((_rs_i + 1))
	done
	[ ! -s "$state/set" ] || good "set $1: $(wc -l <"$state/set" | tr -d ' ') runs, listed in $profile_dir/$1.set"
	case $_rs_sig in
	INT) exit 130 ;;
	HUP) exit 129 ;;
	TERM) exit 143 ;;
	esac
	# A run that failed before it began ended the loop: its status.
	[ "$_rs_st" = 0 ] || [ "$_rs_rc" != 0 ] || _rs_rc=$_rs_st
	return "$_rs_rc"
}

# set_file LIST: a set file, "#run" and the runs of LIST.
set_file() {
	printf '#run\n'
	cat "$1"
}

# is_set SPEC: SPEC names several runs: a list A,B,... or a set (a file
# SPEC.set in profile_dir).
is_set() {
	case $1 in
	*,*) return 0 ;;
	esac
	[ -f "$profile_dir/$1.set" ]
}

# set_runs SPEC: the runs SPEC names, one a line: the runs of a list or of
# a set, else SPEC itself; each a run directory of profile_dir.
set_runs() {
	case $1 in
	*,*) _sr_list=$(printf '%s\n' "$1" | tr ',' '\n') ;;
	*)
		_sr_list=$1
		if [ -f "$profile_dir/$1.set" ]; then
			_sr_list=$(grep -v '^#' "$profile_dir/$1.set") || :
		fi
		;;
	esac
	[ -n "$_sr_list" ] || die "$1: a set without runs"
	for _sr_r in $_sr_list; do
		check_name RUN "$_sr_r"
		[ -d "$profile_dir/$_sr_r" ] || die "$profile_dir/$_sr_r: no such run"
	done
	printf '%s\n' "$_sr_list"
}

# set_label SPEC: SPEC as a file name: a list's runs joined by '+'.
set_label() {
	printf '%s\n' "$1" | tr ',' '+'
}

# analysed RUN...: analyses the runs of profile_dir that have no analysis
# yet (as compare does).
analysed() {
	for _ad_r in "$@"; do
		[ ! -d "$profile_dir/$_ad_r/analysis" ] || continue
		say "analysing $_ad_r first"
		analyze_tsvs "$profile_dir/$_ad_r" || die "$_ad_r: analysis failed"
		if command -v md-report >/dev/null 2>&1; then
			report_analysis "$profile_dir/$_ad_r" || warn "$_ad_r: analysis.md not written"
		fi
	done
}

# compare_sets A B: A and B, runs or sets, compared figure by figure by
# set-stats (comparisons/A-vs-B.stats.tsv) and md-report
# (comparisons/A-vs-B.md), with the merged CPU of each unit as a pprof
# diff (comparisons/A-vs-B.pprof/UNIT.cpu.pb.gz).
compare_sets() {
	need_tools set-stats
	profile_dir=$(dir_env)
	[ -d "$profile_dir" ] || die "$profile_dir: no such directory"
	profile_dir=$(cd "$profile_dir" && pwd)
	_cs_a=$(set_runs "$1") || exit "$?"
	_cs_b=$(set_runs "$2") || exit "$?"
	# shellcheck disable=SC2086 # run names are single words
	analysed $_cs_a $_cs_b
	_cs_pair=$(set_label "$1")-vs-$(set_label "$2")
	_cs_dd=comparisons/$_cs_pair
	cd "$profile_dir" || die "$profile_dir: cannot enter the directory"
	mkdir -p "$_cs_dd"
	# shellcheck disable=SC2086
	set-stats --figures $_cs_a >"$_cs_dd/a.figures.tsv" ||
	    die "$1: the figures of its runs could not all be read"
	# shellcheck disable=SC2086
	set-stats --figures $_cs_b >"$_cs_dd/b.figures.tsv" ||
	    die "$2: the figures of its runs could not all be read"
	atomic "comparisons/$_cs_pair.stats.tsv" set-stats \
	    "$_cs_dd/a.figures.tsv" "$_cs_dd/b.figures.tsv" ||
	    die "comparisons/$_cs_pair.stats.tsv: set-stats failed"
	_cs_rc=0
	# shellcheck disable=SC2086
	compare_pprofs "$_cs_dd.pprof" "$(printf '%s ' $_cs_a)" "$(printf '%s ' $_cs_b)" ||
	    _cs_rc=1
	need_cmd md-report "build it with make"
	atomic "comparisons/$_cs_pair.md" md-report sets "$1" "$2" \
	    "comparisons/$_cs_pair.stats.tsv" ||
	    die "comparisons/$_cs_pair.md: md-report failed"
	awk -F'\t' '!/^#/ && ($NF == "regression" || $NF == "improvement") {
		printf "%s: %s: %s (p = %s)\n", $1, $2, $NF, $20 }' \
	    "comparisons/$_cs_pair.stats.tsv" >&2
	good "comparison: $profile_dir/comparisons/$_cs_pair.md"
	return "$_cs_rc"
}

# compare_budget --write-budget FILE [--margin PCT] BASELINE: a budget
# file for check from the baseline (a run or a set): each figure of each
# unit at its median plus PCT percent (20) or the figure's floor,
# whichever is larger (set-stats --budget-from).
compare_budget() {
	[ "$#" -ge 3 ] || die_usage "compare: --write-budget FILE [--margin PCT] BASELINE"
	_cb_file=$2 _cb_margin=20
	shift 2
	if [ "$1" = --margin ]; then
		[ "$#" -ge 2 ] || die_usage "compare: --margin needs a percentage"
		_cb_margin=$2
		shift 2
	fi
	[ "$#" -eq 1 ] || die_usage "compare: --write-budget FILE [--margin PCT] BASELINE"
	need_tools set-stats
	profile_dir=$(dir_env)
	[ -d "$profile_dir" ] || die "$profile_dir: no such directory"
	profile_dir=$(cd "$profile_dir" && pwd)
	_cb_runs=$(set_runs "$1") || exit "$?"
	# shellcheck disable=SC2086 # run names are single words
	analysed $_cb_runs
	# shellcheck disable=SC2086
	(cd "$profile_dir" && set-stats --figures $_cb_runs) >"$state/budget.tsv" ||
	    die "$1: the figures of its runs could not all be read"
	atomic "$_cb_file" budget_file "$1" "$_cb_margin" "$state/budget.tsv" ||
	    die "$_cb_file: budget not written"
	good "budget: $_cb_file ($(grep -vc '^#' "$_cb_file") limits from $1, margin $_cb_margin%)"
}

# budget_file BASELINE MARGIN FIGURES: the budget, naming its baseline.
budget_file() {
	printf '##baseline\t%s\n' "$1"
	set-stats --budget-from "$2" "$3"
}

# --- check ----------------------------------------------------------------

# check_data MESSAGE: check cannot judge: the message, exit 2.
check_data() {
	printf '%s%s: check:%s %s\n' "$c_red" "$PROG" "$c_off" "$*" >&2
	exit 2
}

# check_lines CHECK-TSV: one line per budget that is not ok.
check_lines() {
	awk -F'\t' -v p="$PROG: check: " '/^#/ || $7 == "ok" { next }
	    $7 == "over" {
		s = $4 == "-" ? "" : "limit " $4
		if ($5 != "-") s = s (s == "" ? "" : ", ") "baseline " $5
		printf "%s%s: %s %s is over its budget %s%s\n", p, $1, $2, $3, $6,
		    s == "" ? "" : " (" s ")"
		next
	    }
	    { printf "%s%s: %s: %s\n", p, $1, $2, $7 }' "$1" >&2
}

# trim_md FILE MAX: FILE, or as much of it as fits in MAX bytes, cut
# before a heading outside a code block (so every chart stays whole).
trim_md() {
	LC_ALL=C awk -v max="$2" '
	{ lines[NR] = $0; size[NR] = length($0) + 1 }
	/^```/ { fence = !fence }
	!fence && /^#/ { cut[NR] = 1 }
	END {
		total = 0
		for (i = 1; i <= NR; i++) total += size[i]
		if (total <= max) { for (i = 1; i <= NR; i++) print lines[i]; exit }
		n = 0; sum = 0
		for (i = 1; i <= NR; i++) {
			if (cut[i] && sum <= max) n = i - 1
			sum += size[i]
		}
		for (i = 1; i <= n; i++) print lines[i]
	}' "$1"
}

# step_summary FILE LIMIT VERDICT-MD [STATS-MD] RUN-DIR: the summary: the
# verdict table, then the figures against the baseline and the run's
# analysis (its charts), each in <details>, the analysis trimmed with a
# note when all of it would not fit in LIMIT bytes.
step_summary() {
	_ss_f=$1 _ss_lim=$2 _ss_v=$3 _ss_st=$4 _ss_run=$5
	{
		cat "$_ss_v"
		if [ -n "$_ss_st" ]; then
			printf '\n<details><summary>The figures against the baseline</summary>\n\n'
			cat "$_ss_st"
			printf '\n</details>\n'
		fi
	} >"$_ss_f"
	[ -f "$_ss_run/analysis.md" ] || return 0
	_ss_note="*Trimmed: $(basename "$_ss_run")/analysis.md is $(wc -c <"$_ss_run/analysis.md" | tr -d ' ') bytes, more than fits in the step summary ($_ss_lim bytes); the whole report is in the run directory.*"
	_ss_room=$((_ss_lim - $(wc -c <"$_ss_f") - ${#_ss_note} - 200))
	[ "$_ss_room" -gt 0 ] || return 0
	trim_md "$_ss_run/analysis.md" "$_ss_room" >"$_ss_f.analysis"
	{
		printf '\n<details><summary>Analysis of %s (charts)</summary>\n\n' \
		    "$(basename "$_ss_run")"
		cat "$_ss_f.analysis"
		if ! cmp -s "$_ss_f.analysis" "$_ss_run/analysis.md"; then
			printf '\n%s\n' "$_ss_note"
		fi
		printf '\n</details>\n'
	} >>"$_ss_f"
	rm -f "$_ss_f.analysis"
}

cmd_check() {
	_ck_run='' _ck_budget='' _ck_base='' _ck_out=''
	while [ "$#" -gt 0 ]; do
		case $1 in
		--budget | --baseline | --step-summary)
			[ "$#" -ge 2 ] || die_usage "check: $1 needs a value"
			case $1 in
			--budget) _ck_budget=$2 ;;
			--baseline) _ck_base=$2 ;;
			*) _ck_out=$2 ;;
			esac
			shift
			;;
		-*) die_usage "check: unknown option $1" ;;
		*)
			[ -z "$_ck_run" ] || die_usage "check: one RUN only"
			_ck_run=$1
			;;
		esac
		shift
	done
	[ -n "$_ck_run" ] || die_usage "check: needs a RUN"
	[ -n "$_ck_budget$_ck_base" ] ||
	    die_usage "check: needs --budget FILE, --baseline RUN, or both"
	[ -z "$_ck_budget" ] || [ -f "$_ck_budget" ] ||
	    die_usage "check: $_ck_budget: no such budget file"
	# GitHub takes 1 MiB of summary a step.
	_ck_lim=$(uint_env E2E_PROFILE_SUMMARY_LIMIT \
	    "${E2E_PROFILE_SUMMARY_LIMIT-}" 1048576 1024 999999999) || exit 2
	need_tools set-stats md-report
	profile_dir=$(dir_env)
	[ -d "$profile_dir" ] || check_data "$profile_dir: no such directory"
	profile_dir=$(cd "$profile_dir" && pwd)
	_ck_runs=$(set_runs "$_ck_run") || exit 2
	_ck_bruns=''
	[ -z "$_ck_base" ] || _ck_bruns=$(set_runs "$_ck_base") || exit 2
	# shellcheck disable=SC2086 # run names are single words
	(analysed $_ck_runs $_ck_bruns) || exit 2
	_ck_d=$state/check
	mkdir -p "$_ck_d"
	# shellcheck disable=SC2086
	(cd "$profile_dir" && set-stats --figures $_ck_runs) >"$_ck_d/run.tsv" ||
	    check_data "$_ck_run: the figures of its runs could not all be read"
	if [ -n "$_ck_base" ]; then
		# shellcheck disable=SC2086
		(cd "$profile_dir" && set-stats --figures $_ck_bruns) >"$_ck_d/base.tsv" ||
		    check_data "$_ck_base: the figures of its runs could not all be read"
		set-stats "$_ck_d/base.tsv" "$_ck_d/run.tsv" >"$_ck_d/stats.tsv" ||
		    check_data "set-stats failed"
		md-report sets "$_ck_base" "$_ck_run" "$_ck_d/stats.tsv" >"$_ck_d/stats.md" ||
		    check_data "md-report failed"
	fi
	_ck_rc=0
	if [ -n "$_ck_budget" ]; then
		set-stats --budget "$_ck_budget" "$_ck_d/run.tsv" \
		    ${_ck_base:+"$_ck_d/base.tsv"} >"$_ck_d/check.tsv" || _ck_rc=$?
		[ "$_ck_rc" -le 2 ] || check_data "set-stats --budget failed"
		[ -s "$_ck_d/check.tsv" ] || exit 2
		check_lines "$_ck_d/check.tsv"
		md-report budget "$_ck_run" "$_ck_d/check.tsv" >"$_ck_d/verdict.md" ||
		    check_data "md-report failed"
		_ck_n=$(grep -vc '^#' "$_ck_d/check.tsv") || :
		_ck_stats=$_ck_d/stats.md
		[ -n "$_ck_base" ] || _ck_stats=''
	else
		# No budget: every regression against the baseline fails.
		awk -F'\t' -v p="$PROG: check: " '!/^#/ && $NF == "regression" {
		    printf "%s%s: %s regressed: %s -> %s (median), p = %s\n", p, $1, $2, $4, $11, $20 }' \
		    "$_ck_d/stats.tsv" >"$_ck_d/lines"
		cat "$_ck_d/lines" >&2
		[ ! -s "$_ck_d/lines" ] || _ck_rc=1
		if grep -q '	too few runs$' "$_ck_d/stats.tsv"; then
			say "check: $_ck_run against $_ck_base: too few runs for the test to decide some figures"
		fi
		_ck_n=$(grep -vc '^#' "$_ck_d/stats.tsv") || :
		cp "$_ck_d/stats.md" "$_ck_d/verdict.md"
		_ck_stats=''
	fi
	_ck_last=$(printf '%s\n' "$_ck_runs" | tail -n 1)
	if [ -n "$_ck_out" ]; then
		step_summary "$_ck_d/summary.md" "$_ck_lim" "$_ck_d/verdict.md" \
		    "$_ck_stats" "$profile_dir/$_ck_last"
		mv -f "$_ck_d/summary.md" "$_ck_out" ||
		    check_data "$_ck_out: cannot write the step summary"
	elif [ -n "${GITHUB_STEP_SUMMARY-}" ]; then
		# GitHub's summary of the step holds what came before: append.
		_ck_have=0
		[ ! -f "$GITHUB_STEP_SUMMARY" ] || _ck_have=$(wc -c <"$GITHUB_STEP_SUMMARY")
		step_summary "$_ck_d/summary.md" $((_ck_lim - _ck_have)) \
		    "$_ck_d/verdict.md" "$_ck_stats" "$profile_dir/$_ck_last"
		cat "$_ck_d/summary.md" >>"$GITHUB_STEP_SUMMARY" ||
		    check_data "$GITHUB_STEP_SUMMARY: cannot write the step summary"
	fi
	case $_ck_rc$_ck_budget in
	0) good "check: $_ck_run: no figure of $_ck_n regressed against $_ck_base" ;;
	0*) good "check: $_ck_run: all $_ck_n budgets hold" ;;
	1) warn "check: $_ck_run: regressed against $_ck_base" ;;
	1*) warn "check: $_ck_run: a budget is exceeded" ;;
	esac
	return "$_ck_rc"
}
