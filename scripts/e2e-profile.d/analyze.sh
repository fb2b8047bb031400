# shellcheck shell=sh disable=SC2034,SC2154 # the globals: see e2e-profile
# e2e-profile part: analysis: the analyze, compare and pprof verbs.
# Sourced by e2e-profile; defines functions only. See e2e-profile for
# the globals that are the program's state.

# --- analyze --------------------------------------------------------------

# run_units RUN: the unit directories that hold profiles.
run_units() {
	for _ru_d in "$1"/*/; do
		[ -d "$_ru_d" ] || continue
		_ru_u=$(basename "$_ru_d")
		case $_ru_u in
		analysis | *[!A-Za-z0-9._-]*) continue ;;
		esac
		for _ru_f in "$_ru_d"heap[0-9]*.pprof "$_ru_d"cpu[0-9]*.pprof \
		    "$_ru_d"goroutine[0-9]*.pprof; do
			if [ -e "$_ru_f" ]; then
				printf '%s\n' "$_ru_u"
				break
			fi
		done
	done
}

# profiles UNIT KIND: UNIT/KINDN.pprof in numeric order of N (relative to
# the run directory, the current directory).
profiles() {
	for _pl_f in "$1/$2"[0-9]*.pprof; do
		_pl_n=${_pl_f#"$1/$2"}
		_pl_n=${_pl_n%.pprof}
		if [ -e "$_pl_f" ] && is_uint "$_pl_n"; then
			printf '%s %s\n' "$_pl_n" "$_pl_f"
		fi
	done | sort -n -k1,1 | cut -d' ' -f2
}

# decode_into KIND OPTIONS FILES: pprof-decode OPTIONS FILES to stdout
# (and the fifos of its --tee options); pprof-decode's status lands in
# .decode.rc, the files it refused in the unit's bad list. The analysis
# decodes into the compact form (--stack-ids), a twentieth of the bytes
# through the pipes for an hour of heap profiles.
decode_into() {
	_di_k=$1
	shift
	rm -f "$an_dir/.decode.rc"
	_di_rc=0
	pprof-decode "$@" 2>"$an_dir/.decode.err" || _di_rc=$?
	printf '%s\n' "$_di_rc" >"$an_dir/.decode.rc"
	bad_profiles "$_di_k" "$an_dir/.decode.err"
}

# pprof-decode's 1 is "some input was bad, the rest decoded": the rest is
# analysed (with none left, the series says so).
decoded_ok() {
	case $(cat "$an_dir/.decode.rc" 2>/dev/null) in
	0 | 1) return 0 ;;
	esac
	return 1
}

# bad_profiles KIND ERR: pprof-decode's messages in ERR join the unit's
# errors, and each file it refused is a row of the unit's bad.tsv (unit,
# kind, file, reason) for analysis/bad-profiles.tsv.
bad_profiles() {
	cat "$2" >>"$an_err"
	awk -v u="$an_unit" -v k="$1" 'index($0, "pprof-decode: " u "/") == 1 {
		s = substr($0, 15); i = index(s, ": "); if (i == 0) next
		r = substr(s, i + 2); gsub(/\t/, " ", r)
		print u "\t" k "\t" substr(s, 1, i - 1) "\t" r }' "$2" >>"$an_dir/bad.tsv"
}

# fifos NAME...: fresh fifos of these names in the unit's state directory.
fifos() {
	for _ff_n in "$@"; do
		rm -f "$an_dir/$_ff_n"
		mkfifo "$an_dir/$_ff_n" || return 1
	done
}

# keep KIND...: the analysis/.UNIT.KIND.tsv.tmp files become
# analysis/UNIT.KIND.tsv.
keep() {
	for _kp_k in "$@"; do
		mv -f "$an_tmp.$_kp_k.tsv.tmp" "$an_out.$_kp_k.tsv"
	done
}

# analyze_unit UNIT: from the run directory, writes analysis/UNIT.*.tsv;
# a kind without profiles writes nothing. Run in a subshell of its own.
# The kinds are analysed one after the other: the units run at once, and
# more processes at a time than that were measured slower on 2 cores.
analyze_unit() {
	an_unit=$1
	an_dir=$state/an.$an_unit
	an_err=$an_dir/err
	an_out=$an_name/$an_unit
	an_tmp=$an_name/.$an_unit
	mkdir -p "$an_dir"
	: >"$an_err"
	: >"$an_dir/bad.tsv"
	_au_rc=0
	for _au_k in heap cpu goroutine; do
		_au_list=$(profiles "$an_unit" "$_au_k")
		[ -n "$_au_list" ] || continue
		set -f
		# shellcheck disable=SC2086 # file names without blanks
		set -- $_au_list
		set +f
		"analyze_$_au_k" "$@" || _au_rc=1
	done
	analyze_phases || _au_rc=1
	analyze_phase_top || _au_rc=1
	analyze_memstats || _au_rc=1
	analyze_verdict || _au_rc=1
	if [ -d pprof ]; then
		_au_cpu=cpu
		[ ! -e "$an_dir/.cpu.encoded" ] || _au_cpu=
		# shellcheck disable=SC2086 # the word or nothing
		pprof_unit "$an_unit" "$an_out.heap.series.tsv" $_au_cpu \
		    2>>"$an_err" || : >"$an_dir/pprof.failed"
	fi
	[ ! -s "$an_dir/bad.tsv" ] || _au_rc=1
	rm -f "$an_tmp".*.tmp
	if [ -s "$an_err" ]; then
		sed "s/^/$PROG: $an_unit: /" "$an_err" >&2
	fi
	return "$_au_rc"
}

# analyze_goroutine FILES: the goroutine series.
analyze_goroutine() {
	if { pprof-decode "$@" 2>"$an_dir/.decode.err"
	    bad_profiles goroutine "$an_dir/.decode.err"; } |
	    pprof-series >"$an_tmp.goroutine.series.tsv.tmp" 2>>"$an_err"; then
		keep goroutine.series
	else
		return 1
	fi
}

# analyze_heap FILES: from one decoding and one pass of pprof-series, the
# heap series (inuse_space and alloc_space) and the growth table; then the
# peak profile's top table and the allocation of the last segment (first
# to last profile of one process).
analyze_heap() {
	_ah_rc=0
	decode_into heap --stack-ids "$@" | pprof-series \
	    --also-series alloc_space="$an_tmp.heap.alloc.series.tsv.tmp" \
	    --also-growth "$an_tmp.heap.growth.tsv.tmp" \
	    >"$an_tmp.heap.series.tsv.tmp" 2>>"$an_err" || _ah_rc=1
	decoded_ok || _ah_rc=1
	if [ "$_ah_rc" != 0 ]; then
		printf 'heap profiles: not analysed\n' >>"$an_err"
		return 1
	fi
	keep heap.series heap.alloc.series heap.growth
	_ah_peak=$(peak_profile "$an_out.heap.series.tsv")
	# The last segment's first and last profiles.
	_ah_fl=$(awk -F'\t' '!/^#/ { if (n++ == 0 || $4 != seg) { seg = $4; first = $NF }
	    last = $NF } END { print first " " last }' "$an_out.heap.series.tsv")
	_ah_first=${_ah_fl%% *} _ah_last=${_ah_fl#* }
	if [ -z "$_ah_peak" ] || [ -z "$_ah_first" ]; then
		printf 'heap series: no peak or last segment found\n' >>"$an_err"
		return 1
	fi
	if ! pprof-decode "$_ah_peak" 2>>"$an_err" |
	    pprof-top -t inuse_space --nodefraction 0 \
	    >"$an_tmp.heap.peak.tsv.tmp" 2>>"$an_err"; then
		_ah_rc=1
	else
		keep heap.peak
	fi
	# The decoded streams go where the profiles' names say, under a
	# directory of their own, so that the diff's ##a and ##b name them.
	mkdir -p "$an_dir/d/$an_unit"
	if pprof-decode "$_ah_first" >"$an_dir/d/$_ah_first" 2>>"$an_err" &&
	    pprof-decode "$_ah_last" >"$an_dir/d/$_ah_last" 2>>"$an_err" &&
	    (cd "$an_dir/d" && exec pprof-diff -t alloc_space "$_ah_first" \
	    "$_ah_last") >"$an_tmp.heap.alloc.tsv.tmp" 2>>"$an_err"; then
		keep heap.alloc
	else
		_ah_rc=1
	fi
	rm -rf "$an_dir/d"
	return "$_ah_rc"
}

# analyze_cpu FILES: the CPU series and the top table of all windows, from
# one decoding (pprof-decode copies the stream to the fifo, no tee); with
# pprof-encode, pprof/UNIT.cpu.pb.gz from it too (a second fifo), and
# .cpu.encoded says so: pprof_unit then has nothing to decode again. The
# encoder's failure is not the analysis's: pprof_unit tries again and
# says why. Whatever the encoder leaves unread is read, so that
# pprof-decode never writes to a fifo with no reader.
analyze_cpu() {
	fifos .f1 || return 1
	pprof-top -t cpu --nodefraction 0 <"$an_dir/.f1" \
	    >"$an_tmp.cpu.top.tsv.tmp" 2>>"$an_err" &
	_ac_p=$!
	rm -f "$an_dir/.cpu.encoded"
	if [ -d pprof ] && command -v pprof-encode >/dev/null 2>&1 && fifos .f2
	then
		{
			if pprof-encode -o "pprof/$an_unit.cpu.pb.gz" \
			    2>"$an_dir/.encode.err"; then
				: >"$an_dir/.cpu.encoded"
			fi
			cat >/dev/null
		} <"$an_dir/.f2" &
		_ac_e=$!
		set -- --tee "$an_dir/.f2" "$@"
	else
		_ac_e=''
	fi
	_ac_rc=0
	decode_into cpu --stack-ids --tee "$an_dir/.f1" "$@" |
	    pprof-series >"$an_tmp.cpu.series.tsv.tmp" 2>>"$an_err" || _ac_rc=1
	wait "$_ac_p" || _ac_rc=1
	[ -z "$_ac_e" ] || wait "$_ac_e"
	decoded_ok || _ac_rc=1
	[ "$_ac_rc" = 0 ] || rm -f "$an_dir/.cpu.encoded"
	if [ "$_ac_rc" != 0 ]; then
		printf 'cpu profiles: not analysed\n' >>"$an_err"
		return 1
	fi
	keep cpu.series cpu.top
}

# analyze_tsvs RUN: analysis/ of every unit, the units in parallel. It is
# written as RUN/.analysis.PID and renamed analysis/ once complete, so
# that analysis/ is never a half-written one (compare takes it as done).
analyze_tsvs() {
	need_tools pprof-decode pprof-series pprof-top pprof-diff phase-split \
	    pprof-memstats leak-verdict
	[ -d "$1" ] || die "$1: no such run"
	_an_units=$(run_units "$1")
	an_name=.analysis.$$
	an_new=$1/$an_name
	rm -rf "$an_new"
	if ! mkdir "$an_new" 2>"$state/mkdir.err"; then
		warn "$an_new: cannot create the directory ($(sed -n '$s/.*: //p' "$state/mkdir.err"))"
		return 1
	fi
	_an_rc=0
	# The pprof files are written with the analysis, from its decodings.
	if command -v pprof-encode >/dev/null 2>&1 && ! mkdir -p "$1/pprof"; then
		warn "$1/pprof: cannot create the directory: no pprof files"
	fi
	if [ -z "$_an_units" ]; then
		warn "$1: no profiles to analyse"
	else
		_an_jobs=''
		for _an_u in $_an_units; do
			(cd "$1" && analyze_unit "$_an_u") &
			_an_jobs="$_an_jobs $!"
		done
		for _an_j in $_an_jobs; do
			wait "$_an_j" || _an_rc=1
		done
		for _an_u in $_an_units; do
			if [ -e "$state/an.$_an_u/pprof.failed" ]; then
				warn "$1/pprof: not every pprof file could be written"
				break
			fi
		done
	fi
	_an_bad=$(for _an_u in $_an_units; do
		cat "$state/an.$_an_u/bad.tsv"
	done | wc -l | tr -d ' ')
	if [ "$_an_bad" -gt 0 ]; then
		{
			printf '#unit\tkind\tfile\treason\n'
			for _an_u in $_an_units; do
				cat "$state/an.$_an_u/bad.tsv"
			done
		} >"$an_new/bad-profiles.tsv" || _an_rc=1
		warn "$1: $_an_bad profiles could not be decoded; the others are analysed (see analysis/bad-profiles.tsv)"
	fi
	[ "$_an_rc" = 0 ] || [ "$_an_bad" -gt 0 ] ||
	    warn "$1: some profiles could not be analysed (see above)"
	rm -rf "$1/.analysis.old.$$"
	if [ -d "$1/analysis" ] && ! mv "$1/analysis" "$1/.analysis.old.$$"; then
		warn "$1/analysis: cannot replace it"
		return 1
	fi
	if ! mv "$an_new" "$1/analysis"; then
		warn "$1/analysis: cannot rename $an_new to it"
		return 1
	fi
	an_new=
	rm -rf "$1/.analysis.old.$$"
	return "$_an_rc"
}

# report_analysis RUN: md-report's analysis.md, which links the pprof
# files analyze_tsvs wrote.
report_analysis() {
	atomic "$1/analysis.md" md-report analysis "$1"
}

# existing_run VERB [NAME]: sets name (baseline when not given) and
# profile_dir for a verb of one run that exists.
existing_run() {
	[ "$#" -le 2 ] || die_usage "$1: too many arguments"
	name=baseline
	[ "$#" -lt 2 ] || name=$2
	check_name NAME "$name"
	profile_dir=$(dir_env)
	[ -d "$profile_dir/$name" ] || die "$profile_dir/$name: no such run"
}

cmd_analyze() {
	existing_run analyze "$@"
	run_dir=$(cd "$profile_dir/$name" && pwd)
	take_lock "$run_dir" || die "$run_dir: in use by $PROG (PID $lock_pid)"
	_ca_rc=0
	analyze_tsvs "$run_dir" || _ca_rc=1
	command -v md-report >/dev/null 2>&1 ||
	    die "md-report: command not found (build it with make): the analysis TSVs are in $run_dir/analysis, analysis.md is not written"
	report_analysis "$run_dir" || die "$run_dir/analysis.md: md-report failed"
	good "analysis: $run_dir/analysis.md"
	return "$_ca_rc"
}

# --- compare --------------------------------------------------------------

# unit_names RUN: the units md-report sees in RUN: those run.tsv's units
# key names and those with tables in RUN/analysis.
unit_names() {
	{
		[ ! -f "$1/run.tsv" ] ||
		    awk -F '\t' '$1 == "units" { n = split($2, w, " "); for (i = 1; i <= n; i++) print w[i] }' "$1/run.tsv"
		for _un_f in "$1"/analysis/*.tsv; do
			_un_b=$(basename "$_un_f")
			for _un_k in heap.series heap.alloc.series heap.growth heap.peak \
			    heap.alloc cpu.series cpu.top goroutine.series; do
				case $_un_b in
				?*."$_un_k".tsv) printf '%s\n' "${_un_b%."$_un_k".tsv}" ;;
				esac
			done
		done
	} | sort -u
}

# role_pairs A B: "AUNIT BUNIT" lines, the units md-report compares with
# each other, as it matches them: by component (units.tsv's, else the name
# less a trailing -N when 2+ units share what is left), leader first, then
# single, standby and unknown, by name within a role; by position.
role_pairs() {
	unit_names "$1" >"$state/names.a" && unit_names "$2" >"$state/names.b" || return 1
	_rp_ua=/dev/null _rp_ub=/dev/null
	[ ! -f "$1/units.tsv" ] || _rp_ua=$1/units.tsv
	[ ! -f "$2/units.tsv" ] || _rp_ub=$2/units.tsv
	LC_ALL=C awk -F '\t' '
	BEGIN { rank["leader"] = 1; rank["single"] = 2; rank["standby"] = 3 }
	FNR == 1 { kind = FILENAME == names ? "names" : "map" }
	kind == "map" && FNR == 1 {
		sub(/^#/, "")
		uc = cc = rc = 0
		for (i = 1; i <= NF; i++) {
			if ($i == "unit") uc = i
			if ($i == "component") cc = i
			if ($i == "role") rc = i
		}
		next
	}
	kind == "map" && uc && cc && rc && !/^#/ { comp[s, $uc] = $cc; role[s, $uc] = $rc; next }
	kind == "names" { n[s]++; unit[s, n[s]] = $0 }
	END {
		for (s = 1; s <= 2; s++) {
			for (i = 1; i <= n[s]; i++) {
				u = unit[s, i]
				if ((s, u) in comp) continue
				st = u
				if (match(u, /-[0-9]+$/) && RSTART > 1) st = substr(u, 1, RSTART - 1)
				stem[s, u] = st
				shared[s, st]++
			}
			for (i = 1; i <= n[s]; i++) {
				u = unit[s, i]
				if ((s, u) in comp) continue
				if (shared[s, stem[s, u]] > 1) {
					comp[s, u] = stem[s, u]; role[s, u] = "-"
				} else {
					comp[s, u] = u; role[s, u] = "single"
				}
			}
			for (i = 1; i <= n[s]; i++) {
				u = unit[s, i]; c = comp[s, u]
				k = ++g[s, c]; m[s, c, k] = u
				ru = role[s, u] in rank ? rank[role[s, u]] : 4
				for (; k > 1; k--) {
					p = m[s, c, k - 1]
					rp = role[s, p] in rank ? rank[role[s, p]] : 4
					if (rp < ru || rp == ru && (p "") < (u "")) break
					m[s, c, k] = p; m[s, c, k - 1] = u
				}
			}
		}
		for (i = 1; i <= n[1]; i++) {
			c = comp[1, unit[1, i]]
			if (c in done) continue
			done[c] = 1
			for (k = 1; k <= g[1, c] && k <= g[2, c]; k++) print m[1, c, k], m[2, c, k]
		}
	}' s=1 names="$state/names.a" "$_rp_ua" "$state/names.a" \
	    s=2 names="$state/names.b" "$_rp_ub" "$state/names.b"
}

cmd_compare() {
	[ "${1-}" != --write-budget ] || { compare_budget "$@"; return; }
	[ "$#" -eq 2 ] || die_usage "compare: needs two run names"
	profile_dir=$(dir_env)
	if is_set "$1" || is_set "$2"; then
		compare_sets "$1" "$2"
		return
	fi
	check_name A "$1"
	check_name B "$2"
	profile_dir=$(dir_env)
	for _cc_r in "$1" "$2"; do
		[ -d "$profile_dir/$_cc_r" ] || die "$profile_dir/$_cc_r: no such run"
	done
	profile_dir=$(cd "$profile_dir" && pwd)
	for _cc_r in "$1" "$2"; do
		if [ ! -d "$profile_dir/$_cc_r/analysis" ]; then
			take_lock "$profile_dir/$_cc_r" ||
			    die "$profile_dir/$_cc_r: in use by $PROG (PID $lock_pid)"
			say "analysing $_cc_r first"
			analyze_tsvs "$profile_dir/$_cc_r" || die "$_cc_r: analysis failed"
			if command -v md-report >/dev/null 2>&1; then
				report_analysis "$profile_dir/$_cc_r" || warn "$_cc_r: analysis.md not written"
			fi
			release_lock
		fi
	done
	_cc_pair=$1-vs-$2
	_cc_dd=comparisons/$_cc_pair
	cd "$profile_dir" || die "$profile_dir: cannot enter the directory"
	mkdir -p "$_cc_dd"
	rm -f "$_cc_dd"/*.diff.tsv
	_cc_n=0 _cc_rc=0
	role_pairs "$1" "$2" >"$state/pairs" || die "$state/pairs: cannot write"
	while read -r _cc_ua _cc_ub; do
		# md-report's names: UNIT when the names agree, AUNIT-vs-BUNIT
		# for a pair matched by role across names.
		_cc_u=$_cc_ua
		[ "$_cc_ua" = "$_cc_ub" ] || _cc_u=$_cc_ua-vs-$_cc_ub
		for _cc_kind in heap.peak cpu.top; do
			_cc_f=$1/analysis/$_cc_ua.$_cc_kind.tsv
			_cc_g=$2/analysis/$_cc_ub.$_cc_kind.tsv
			if [ ! -f "$_cc_f" ] || [ ! -f "$_cc_g" ]; then
				continue
			fi
			if atomic "$_cc_dd/$_cc_u.$_cc_kind.diff.tsv" pprof-diff "$_cc_f" "$_cc_g"; then
				_cc_n=$((_cc_n + 1))
			else
				_cc_rc=1
			fi
		done
	done <"$state/pairs"
	[ "$_cc_n" -gt 0 ] || warn "no unit has profiles of the same kind in both $1 and $2"
	compare_pprofs "$_cc_dd.pprof" "$1" "$2" || _cc_rc=1
	command -v md-report >/dev/null 2>&1 ||
	    die "md-report: command not found (build it with make): the differences are in $profile_dir/$_cc_dd, $_cc_pair.md is not written"
	atomic "comparisons/$_cc_pair.md" md-report compare "$1" "$2" "$_cc_dd" ||
	    die "comparisons/$_cc_pair.md: md-report failed"
	good "comparison: $profile_dir/comparisons/$_cc_pair.md"
	return "$_cc_rc"
}

# --- pprof files ----------------------------------------------------------

# peak_profile SERIES: the profile at the peak of a heap series (the row
# whose seq is ##peak_seq: its source), relative to the run directory.
peak_profile() {
	awk -F'\t' '$1 == "##peak_seq" { p = $2 }
	    !/^#/ { src[$1] = $NF } END { if (p in src) print src[p] }' "$1"
}

# unit_stream KIND UNIT RUN...: the sample stream of the unit's CPU
# profiles in all the runs (KIND cpu), or of its heap profile at the peak
# of the one run (KIND heap-peak); nothing when there are none. From
# profile_dir.
unit_stream() {
	_us_k=$1 _us_u=$2
	shift 2
	_us_files=''
	for _us_r in "$@"; do
		if [ "$_us_k" = cpu ]; then
			for _us_f in $(cd "$_us_r" && profiles "$_us_u" cpu); do
				_us_files="$_us_files $_us_r/$_us_f"
			done
		elif [ -f "$_us_r/analysis/$_us_u.heap.series.tsv" ]; then
			_us_f=$(peak_profile "$_us_r/analysis/$_us_u.heap.series.tsv")
			[ -z "$_us_f" ] || _us_files="$_us_files $_us_r/$_us_f"
		fi
	done
	[ -n "$_us_files" ] || return 0
	# shellcheck disable=SC2086 # file names without blanks
	pprof-decode $_us_files
}

# compare_pprofs DIR "A-RUNS" "B-RUNS": DIR/UNIT.cpu.pb.gz, B's CPU with
# A's as pprof's diff base, for every unit with CPU profiles on both
# sides; with one run a side also DIR/UNIT.heap-peak.pb.gz, the two peaks.
# From profile_dir.
compare_pprofs() {
	need_tools pprof-decode pprof-encode
	mkdir -p "$1"
	rm -f "$1"/*.pb.gz
	_cp_kinds=cpu
	# shellcheck disable=SC2086 # run names are single words
	[ "$(printf '%s\n' $2 | wc -l)" != 1 ] || [ "$(printf '%s\n' $3 | wc -l)" != 1 ] ||
	    _cp_kinds='cpu heap-peak'
	_cp_rc=0
	# shellcheck disable=SC2086
	for _cp_u in $(for _cp_r in $3; do run_units "$_cp_r"; done | sort -u); do
		for _cp_k in $_cp_kinds; do
			# shellcheck disable=SC2086
			unit_stream "$_cp_k" "$_cp_u" $2 >"$state/cp.a" &&
			    unit_stream "$_cp_k" "$_cp_u" $3 >"$state/cp.b" || _cp_rc=1
			if [ ! -s "$state/cp.a" ] || [ ! -s "$state/cp.b" ]; then
				continue
			fi
			pprof-encode --diff-base "$state/cp.a" \
			    -o "$1/$_cp_u.$_cp_k.pb.gz" "$state/cp.b" || _cp_rc=1
		done
	done
	return "$_cp_rc"
}

# pprof_files RUN: RUN/pprof/UNIT.cpu.pb.gz (every CPU profile merged),
# UNIT.heap-peak.pb.gz (the heap at the peak) and UNIT.alloc.pb.gz (what
# each process allocated from its first heap profile to its last, summed:
# the lasts with the firsts as the base), for every unit of the analysis,
# the units in parallel.
pprof_files() {
	need_tools pprof-decode pprof-encode
	mkdir -p "$1/pprof"
	_pf_rc=0 _pf_jobs=''
	for _pf_u in $(run_units "$1"); do
		(cd "$1" && pprof_unit "$_pf_u" "analysis/$_pf_u.heap.series.tsv" cpu) &
		_pf_jobs="$_pf_jobs $!"
	done
	for _pf_j in $_pf_jobs; do
		wait "$_pf_j" || _pf_rc=1
	done
	return "$_pf_rc"
}

# pprof_unit UNIT SERIES [cpu]: pprof_files for one unit, in the run
# directory, its heap series in the file SERIES; the CPU file only when
# asked (analyze_cpu writes it from its own decoding).
pprof_unit() {
	_pu_rc=0
	if [ "${3-}" = cpu ]; then
		unit_stream cpu "$1" . >"$state/pu.$1.cpu" || _pu_rc=1
		if [ -s "$state/pu.$1.cpu" ]; then
			pprof-encode -o "pprof/$1.cpu.pb.gz" "$state/pu.$1.cpu" ||
			    _pu_rc=1
		fi
	fi
	[ -f "$2" ] || { rm -f "$state/pu.$1".*; return "$_pu_rc"; }
	_pu_peak=$(peak_profile "$2")
	if [ -n "$_pu_peak" ]; then
		if pprof-decode "$_pu_peak" >"$state/pu.$1.peak"; then
			pprof-encode -o "pprof/$1.heap-peak.pb.gz" \
			    "$state/pu.$1.peak" || _pu_rc=1
		else
			_pu_rc=1
		fi
	fi
	# Each segment (one process) its first and last profile.
	_pu_fl=$(awk -F'\t' '!/^#/ { if (!($4 in first)) { first[$4] = $NF; seg[n++] = $4 }
	    last[$4] = $NF } END { for (i = 0; i < n; i++) print first[seg[i]], last[seg[i]] }' "$2")
	if [ -n "$_pu_fl" ]; then
		# shellcheck disable=SC2046 # file names without blanks
		if pprof-decode $(printf '%s\n' "$_pu_fl" | cut -d' ' -f1) >"$state/pu.$1.first" &&
		    pprof-decode $(printf '%s\n' "$_pu_fl" | cut -d' ' -f2) >"$state/pu.$1.last"; then
			pprof-encode -b "$state/pu.$1.first" -o "pprof/$1.alloc.pb.gz" \
			    "$state/pu.$1.last" || _pu_rc=1
		else
			_pu_rc=1
		fi
	fi
	rm -f "$state/pu.$1".*
	return "$_pu_rc"
}

cmd_pprof() {
	existing_run pprof "$@"
	profile_dir=$(cd "$profile_dir" && pwd)
	analysed "$name"
	_cpf_rc=0
	pprof_files "$profile_dir/$name" || _cpf_rc=1
	# analysis.md links the files it finds.
	if command -v md-report >/dev/null 2>&1 &&
	    [ -f "$profile_dir/$name/analysis.md" ]; then
		atomic "$profile_dir/$name/analysis.md" md-report analysis \
		    "$profile_dir/$name" || warn "$name/analysis.md: md-report failed"
	fi
	good "pprof files: $profile_dir/$name/pprof"
	return "$_cpf_rc"
}
