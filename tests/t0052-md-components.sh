#!/bin/sh
test_description='md-report compare: components, leaders first, sums over replicas; what could not be compared is said'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"
. "$TESTS/lib-wrapper.sh"

MiB=1048576
TAB=$(printf '\t')
SQ="'"

# unit RUN UNIT MIB...: heap profiles of UNIT every 10 s from 5 s, MIB
# in use each (allocation 1 MiB more a profile).
unit() {
	r=$1 u=$2
	shift 2
	mkdir -p "$E2E_PROFILE_DIR/$r/$u" &&
	k=0 && for m in "$@"; do
		heap_spec "$(at $((5 + 10 * k)))" /manager main.cache \
		    $(((k + 1) * MiB))/$((m * MiB)) |
		    pbwrite >"$E2E_PROFILE_DIR/$r/$u/heap$k.pprof" || return 1
		k=$((k + 1))
	done
}

test_setup 'an experimental run (two replicas) and a standard one (one)' '
	unit exp operator-controller-0 10 10 10 &&
	unit exp operator-controller-1 30 31 32 &&
	unit exp catalogd 20 20 20 &&
	run_tsv_of "$E2E_PROFILE_DIR/exp" exp 60 &&
	printf "#unit${TAB}component${TAB}role${TAB}leader_s${TAB}pods\noperator-controller-0${TAB}operator-controller${TAB}standby${TAB}0${TAB}oc-a\noperator-controller-1${TAB}operator-controller${TAB}leader${TAB}55${TAB}oc-b\ncatalogd${TAB}catalogd${TAB}single${TAB}0${TAB}cd-a\n" \
	    >"$E2E_PROFILE_DIR/exp/units.tsv" &&
	unit std operator-controller 25 26 27 &&
	unit std catalogd 20 20 20 &&
	run_tsv_of "$E2E_PROFILE_DIR/std" std 60 &&
	unit old operator-controller-0 12 12 12 &&
	unit old operator-controller-1 28 28 28 &&
	run_tsv_of "$E2E_PROFILE_DIR/old" old 60 &&
	unit other web 5 5 5 &&
	run_tsv_of "$E2E_PROFILE_DIR/other" other 60 &&
	for r in exp std old other; do
		dash "$E2E" analyze $r >/dev/null 2>&1 || return 1
	done &&
	dash "$E2E" compare exp std >/dev/null 2>&1 &&
	report=$E2E_PROFILE_DIR/comparisons/exp-vs-std.md &&
	test -s "$report"
'

report=$E2E_PROFILE_DIR/comparisons/exp-vs-std.md

test_expect_success 'the analysis marks the leader and the standby' '
	grep "^| operator-controller-[01] " "$E2E_PROFILE_DIR/exp/analysis.md" | cut -d"|" -f2,3 >got &&
	printf "%s\n" " operator-controller-0 (standby) | 10MB at 5s " " operator-controller-1 (leader) | 32MB at 25s " >expect &&
	test_cmp expect got
'

test_expect_success 'a component with replicas: the leader against the leader, the sum against the sum' '
	sed -n "/^### operator-controller/,/^#### /p" "$report" >oc &&
	grep "^- A.s leader: \`operator-controller-1\`\$" oc &&
	grep "^- B.s only unit: \`operator-controller\`\$" oc &&
	grep "^| peak heap in use |" oc >got &&
	echo "| peak heap in use | 32MB | 27MB | -5MB | improvement | 42MB | 27MB | -15MB | improvement |" >expect &&
	test_cmp expect got
'

test_expect_success 'replicas are matched by role, the leader first, not by name' '
	grep "^#### " "$report" >got &&
	echo "#### Replica operator-controller-1 (A) vs operator-controller (B)" >expect &&
	test_cmp expect got &&
	grep "^1 replica of A not matched: its figures are in the sums only.\$" "$report"
'

test_expect_success 'a single unit on both sides is compared unit to unit' '
	sed -n "/^### catalogd/,/^## /p" "$report" >cd &&
	grep "^| peak heap in use | 20MB | 20MB | ±0 | +0.0% | within noise |\$" cd
'

test_expect_success 'the pair matched by role across names has its diff tables' '
	sed -n "/^### operator-controller-1: heap in use at the peak/,/^\$/p;/^### operator-controller-1: heap in use at the peak/,/^#/{/^|/p}" "$report" >got &&
	cat >expect <<-\EOT &&
	### operator-controller-1: heap in use at the peak, by function

	| function | A | B | change | % |
	| --- | ---: | ---: | ---: | ---: |
	| main.cache | 32MB | 27MB | -5MB | -15.62% |
	EOT
	test_cmp expect got
'

test_expect_success 'without units.tsv, replicas of a name share a component; the leader is unknown' '
	dash "$E2E" compare old std >/dev/null 2>&1 &&
	grep "^- A.s first replica: \`operator-controller-0\`\$" "$E2E_PROFILE_DIR/comparisons/old-vs-std.md" &&
	grep "^| peak heap in use | 12MB | 27MB | +15MB | regression | 40MB | 27MB | -13MB | improvement |\$" \
	    "$E2E_PROFILE_DIR/comparisons/old-vs-std.md" &&
	ls "$E2E_PROFILE_DIR/comparisons/old-vs-std" >got &&
	printf "%s\n" operator-controller-0-vs-operator-controller.heap.peak.diff.tsv >expect &&
	test_cmp expect got
'

test_expect_success 'nothing in common: said, never "within noise"' '
	dash "$E2E" compare exp other >/dev/null 2>&1 &&
	sed -n "/^## Key findings/,\$p" "$E2E_PROFILE_DIR/comparisons/exp-vs-other.md" >got &&
	cat >expect <<-\EOT &&
	## Key findings

	Nothing could be compared: no component has profiles in both runs.

	Not compared:

	- catalogd: profiled only in A.
	- operator-controller: profiled only in A.
	- web: profiled only in B.
	EOT
	test_cmp expect got
'

test_done
