# shellcheck shell=sh disable=SC2034,SC2154 # the globals: see e2e-profile
# e2e-profile part: the analysis of issue 17: the test's phases, the
# runtime's MemStats and the leak verdict of the settle window. Sourced by
# analyze.sh; defines functions only, which analyze_unit calls from the
# run directory with an_unit, an_dir, an_err, an_out and an_tmp set. Each
# writes its analysis/UNIT.KIND.tsv through keep (temp file, then rename)
# and nothing when its inputs are absent; the filters do the arithmetic.

# analyze_phases: UNIT.phases.tsv, phase-split of the heap series by
# test-events.tsv, with the CPU series' cores when there is one; nothing
# without events or without a phase.
analyze_phases() {
	[ -f test-events.tsv ] && [ -f "$an_out.heap.series.tsv" ] || return 0
	# From the analysis directory, so that ##series and ##events name
	# the files relative to the table, as they stay after the rename.
	set -- "$an_unit.heap.series.tsv" ../test-events.tsv
	[ ! -f "$an_out.cpu.series.tsv" ] || set -- --cpu "$an_unit.cpu.series.tsv" "$@"
	if ! (cd "$an_name" && exec phase-split "$@") >"$an_tmp.phases.tsv.tmp" \
	    2>>"$an_err"; then
		printf 'phases: not analysed\n' >>"$an_err"
		return 1
	fi
	grep -q '^[^#]' "$an_tmp.phases.tsv.tmp" || return 0
	keep phases
}

# phase_ends: "PHASE<TAB>FIRST<TAB>LAST" for each phase of UNIT.phases.tsv with 2
# profiles or more whose first and last are of one process (segment),
# the files as the heap series names them.
phase_ends() {
	awk -F'\t' 'FNR == 1 { f++ }
	    f == 1 && !/^#/ { src[$1] = $NF; seg[$1] = $4 }
	    f == 2 && !/^#/ && $5 >= 2 && seg[$6] == seg[$7] && ($6 in src) && ($7 in src) {
		print $1 "\t" src[$6] "\t" src[$7] }' "$an_out.heap.series.tsv" "$an_out.phases.tsv"
}

# top3 WHAT PHASE DIFF: the rows of the 3 largest positive flat deltas of
# a pprof-diff table, by value then function.
top3() {
	awk -F'\t' '!/^#/ && $3 > 0 { print $3 "\t" $9 }' "$3" |
	    LC_ALL=C sort -t '	' -k1,1nr -k2,2 | head -n 3 |
	    awk -F'\t' -v p="$2" -v w="$1" '{ print p "\t" w "\t" NR "\t" $0 }'
}

# analyze_phase_top: UNIT.phase-top.tsv, per phase the top 3 allocators
# (alloc_space, last minus first as pprof -base) and what grew most
# (inuse_space, positive only), for the phases phase_ends lists.
analyze_phase_top() {
	[ -f "$an_out.phases.tsv" ] || return 0
	phase_ends >"$an_dir/ends" || return 1
	mkdir -p "$an_dir/d/$an_unit"
	_pt_rc=0
	{
		printf '##phase-top\t%s\n#phase\twhat\trank\tvalue\tfunction\n' "$an_unit"
		while IFS='	' read -r _pt_p _pt_a _pt_b; do
			for _pt_f in "$_pt_a" "$_pt_b"; do
				[ -f "$an_dir/d/$_pt_f" ] ||
				    pprof-decode "$_pt_f" >"$an_dir/d/$_pt_f" 2>>"$an_err" ||
				    { _pt_rc=1; rm -f "$an_dir/d/$_pt_f"; continue 2; }
			done
			for _pt_t in alloc:alloc_space growth:inuse_space; do
				# From d, so that the diff names the profiles as the
				# series does.
				(cd "$an_dir/d" && exec pprof-diff -t "${_pt_t#*:}" \
				    "$_pt_a" "$_pt_b") >"$an_dir/diff" 2>>"$an_err" &&
				    top3 "${_pt_t%:*}" "$_pt_p" "$an_dir/diff" || _pt_rc=1
			done
		done <"$an_dir/ends"
	} >"$an_tmp.phase-top.tsv.tmp"
	rm -rf "$an_dir/d" "$an_dir/diff"
	if [ "$_pt_rc" != 0 ]; then
		printf 'phase-top: not analysed\n' >>"$an_err"
		return 1
	fi
	keep phase-top
}

# rfc3339_ns: a filter: collection.log's times (field 1, 2026-11-27T13:44:52.984Z)
# as ns since the epoch, field 1 replaced; awk's doubles hold the seconds
# exactly, not the nanoseconds, so those are printed as digits after them.
rfc3339_ns() {
	awk -F'\t' -v OFS='\t' '!/^#/ && $1 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9](\.[0-9]+)?Z$/ {
		y = substr($1, 1, 4) + 0; m = substr($1, 6, 2) + 0; d = substr($1, 9, 2) + 0
		frac = substr($1, 21); sub(/Z$/, "", frac); frac = substr(frac "000000000", 1, 9)
		if (m <= 2) y--
		era = int(y / 400); yoe = y - era * 400
		doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
		days = era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
		s = days * 86400 + substr($1, 12, 2) * 3600 + substr($1, 15, 2) * 60 + substr($1, 18, 2)
		$1 = sprintf("%d%s", s, frac); print }'
}

# memstats_bad ERR: pprof-memstats's messages join the unit's errors, and
# each file it refused is a row of the unit's bad.tsv, as bad_profiles
# does for pprof-decode's.
memstats_bad() {
	cat "$1" >>"$an_err"
	awk -v u="$an_unit" 'index($0, "pprof-memstats: " u "/") == 1 {
		s = substr($0, 17); i = index(s, ": "); if (i == 0) next
		r = substr(s, i + 2); gsub(/\t/, " ", r)
		print u "\tmemstats\t" substr(s, 1, i - 1) "\t" r }' "$1" >>"$an_dir/bad.tsv"
}

# analyze_memstats: UNIT.memstats.tsv from UNIT/memstatsN.txt, one row per
# good block: seq N, the time of its fetch (collection.log's ok line for
# the file, else the time of the heap profile of slot N), the figures,
# the file. A bad block is an error of the unit and a row of
# bad-profiles.tsv; the others still get their rows.
analyze_memstats() {
	_ms_list=$(for _ms_f in "$an_unit"/memstats[0-9]*.txt; do
		_ms_n=${_ms_f#"$an_unit/memstats"}
		_ms_n=${_ms_n%.txt}
		if [ -e "$_ms_f" ] && is_uint "$_ms_n"; then
			printf '%s %s\n' "$_ms_n" "$_ms_f"
		fi
	done | sort -n -k1,1 | cut -d' ' -f2)
	[ -n "$_ms_list" ] || return 0
	_ms_rc=0
	set -f
	# shellcheck disable=SC2086 # file names without blanks
	pprof-memstats $_ms_list >"$an_dir/memstats" 2>"$an_dir/memstats.err" || _ms_rc=1
	set +f
	memstats_bad "$an_dir/memstats.err"
	: >"$an_dir/log"
	[ ! -f collection.log ] ||
	    awk -F'\t' '$3 == "memstats" && $5 == "ok"' collection.log |
	    rfc3339_ns >"$an_dir/log"
	_ms_hs=/dev/null
	[ ! -f "$an_out.heap.series.tsv" ] || _ms_hs=$an_out.heap.series.tsv
	{
		printf '##memstats\t%s\n#seq\ttime_ns\tsys\theap_sys\theap_inuse\theap_idle\theap_released\tstack_inuse\tnext_gc\tnum_gc\tpause_total_ns\tpauses\tsource\n' "$an_unit"
		awk -F'\t' -v OFS='\t' -v lf="$an_dir/log" -v hs="$_ms_hs" '
		FILENAME == lf { fetched[$9] = $1; next }
		FILENAME == hs { if (!/^#/) heap[$1] = $2; next }
		!/^#/ {
			n = $1; sub(/^.*\/memstats/, "", n); sub(/\.txt$/, "", n)
			t = ($1 in fetched) ? fetched[$1] : (n in heap) ? heap[n] : "-"
			print n, t, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $1
		}' "$an_dir/log" "$_ms_hs" "$an_dir/memstats"
	} >"$an_tmp.memstats.tsv.tmp" || _ms_rc=1
	keep memstats
	return "$_ms_rc"
}

# decode_group KIND OUT FILES: pprof-decode FILES into OUT, the refused
# ones in the unit's bad list; 0 when OUT holds a profile.
decode_group() {
	_dg_k=$1 _dg_o=$2
	shift 2
	pprof-decode "$@" >"$_dg_o" 2>"$an_dir/.decode.err"
	bad_profiles "$_dg_k" "$an_dir/.decode.err"
	[ -s "$_dg_o" ]
}

# analyze_verdict: UNIT.verdict.tsv, leak-verdict of the settle window
# (UNIT/settle/heapK.pprof, goroutineK, goroutineleakK) against the
# baseline: settle/baseline-heap.pprof, else the first heap profile of
# the last process of the series (and then the goroutine profile of that
# slot). Nothing without settle heap profiles.
analyze_verdict() {
	_vd_s=$an_unit/settle
	_vd_h=$(profiles "$_vd_s" heap)
	[ -n "$_vd_h" ] || return 0
	_vd_g=$(profiles "$_vd_s" goroutine)
	_vd_l=$(profiles "$_vd_s" goroutineleak)
	_vd_bh=$_vd_s/baseline-heap.pprof _vd_bg=$_vd_s/baseline-goroutine.pprof
	if [ ! -f "$_vd_bh" ] && [ -f "$an_out.heap.series.tsv" ]; then
		_vd_bh=$(awk -F'\t' '!/^#/ { if (n++ == 0 || $4 != seg) { seg = $4; first = $NF } }
		    END { print first }' "$an_out.heap.series.tsv")
		_vd_n=${_vd_bh#"$an_unit/heap"}
		_vd_bg=$an_unit/goroutine${_vd_n%.pprof}.pprof
	fi
	if [ -z "$_vd_bh" ] || [ ! -f "$_vd_bh" ]; then
		printf 'leak verdict: no baseline heap profile (%s/baseline-heap.pprof, or a heap series)\n' \
		    "$_vd_s" >>"$an_err"
		return 1
	fi
	set -f
	# shellcheck disable=SC2086 # file names without blanks
	if ! decode_group heap "$an_dir/v.base" "$_vd_bh" ||
	    ! decode_group heap "$an_dir/v.settle" $_vd_h; then
		set +f
		printf 'leak verdict: not made\n' >>"$an_err"
		return 1
	fi
	set --
	# shellcheck disable=SC2086
	if [ -f "$_vd_bg" ] && [ -n "$_vd_g" ] &&
	    decode_group goroutine "$an_dir/v.gbase" "$_vd_bg" &&
	    decode_group goroutine "$an_dir/v.gsettle" $_vd_g; then
		set -- -G "$an_dir/v.gbase" -g "$an_dir/v.gsettle"
	fi
	# shellcheck disable=SC2086
	if [ -n "$_vd_l" ] && decode_group goroutineleak "$an_dir/v.leak" $_vd_l; then
		set -- "$@" -l "$an_dir/v.leak"
	fi
	set +f
	_vd_rc=0
	if leak-verdict "$@" "$an_dir/v.base" "$an_dir/v.settle" \
	    >"$an_tmp.verdict.tsv.tmp" 2>>"$an_err"; then
		keep verdict
	else
		printf 'leak verdict: not made\n' >>"$an_err"
		_vd_rc=1
	fi
	rm -f "$an_dir"/v.*
	return "$_vd_rc"
}
