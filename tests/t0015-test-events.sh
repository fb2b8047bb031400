#!/bin/sh
test_description='test-events: operator-controller'"'"'s make test-e2e output, go test and godog lines, to phase and test events'
. "$(dirname "$0")/lib.sh"

HEAD='##events	test-events
##patterns	built-in
#time_ns	time	kind	name'

# stamp: the lines of stdin, one second apart from 2026-12-02T02:00:00Z,
# RFC 3339 with milliseconds (odd lines) or ns since the epoch (even).
T0=1796176800
stamp() {
	awk -v t0=$T0 '{
		s = t0 + NR - 1
		if (NR % 2) printf "%s.250Z\t%s\n", strftime("%Y-%m-%dT%H:%M:%S", s, 1), $0
		else printf "%d000000000\t%s\n", s, $0
	}'
}

# The lines make test-e2e prints (its recipes as make echoes them, kind's,
# docker's and godog's own output), abridged, in the order make runs them.
test_setup 'a make test-e2e log' '
	cat >raw <<-\EOT &&
	Creating cluster "operator-controller-e2e" ...
	 ✓ Ensuring node image (kindest/node:v1.33.1) 🖼
	go build -cover -tags '"'"'containers_image_openpgp'"'"' -ldflags '"'"'-s -w'"'"' -o bin/linux/operator-controller ./cmd/operator-controller
	go build -cover -tags '"'"'containers_image_openpgp'"'"' -ldflags '"'"'-s -w'"'"' -o bin/linux/catalogd ./cmd/catalogd
	docker build -t quay.io/operator-framework/operator-controller:devel -f Dockerfile.operator-controller ./bin/linux
	docker build -t quay.io/operator-framework/catalogd:devel -f Dockerfile.catalogd ./bin/linux
	/src/hack/tools/bin/kind-v0.29.0 load docker-image quay.io/operator-framework/operator-controller:devel --name operator-controller-e2e
	/src/hack/tools/bin/kind-v0.29.0 load docker-image quay.io/operator-framework/catalogd:devel --name operator-controller-e2e
	Using helm/olmv1/manifests/standard-e2e.yaml as source manifest
	KUBECONFIG=/src/.kube/operator-controller-e2e.kubeconfig kubectl wait --for=condition=Available --namespace=olmv1-system deployment/catalogd-controller-manager --timeout=60s
	deployment.apps/catalogd-controller-manager condition met
	go test -count=1 -v ./test/e2e/features_test.go -timeout 20m -args --godog.tags="~@Serial && ~@demo" --godog.concurrency=100; \
	go test -count=1 -v ./test/e2e/features_test.go -timeout 20m -args --godog.tags="@Serial && ~@demo" --godog.concurrency=1; \
	Feature: Install ClusterExtension
	  Scenario: Install latest available version # features/install.feature:12
	    Given OLM is available # steps.go:101
	  Scenario Outline: Install <version> # features/install.feature:30
	2 scenarios (2 passed)
	ok  	command-line-arguments	93.021s
	Feature: Update ClusterCatalog
	  Scenario: Catalog is updated # features/update.feature:8
	ok  	command-line-arguments	12.5s
	KUBECONFIG=/src/.kube/operator-controller-e2e.kubeconfig COVERAGE_NAME=operator-controller-e2e ./hack/test/e2e-coverage.sh
	=== RUN   TestUpgrade
	=== RUN   TestUpgrade/from_v1
	    --- PASS: TestUpgrade/from_v1 (0.01s)
	--- FAIL: TestUpgrade (1.50s)
	--- SKIP: TestOther (0.00s)
	{"Time":"2026-12-02T02:00:27Z","Action":"run","Package":"p","Test":"TestJ"}
	{"Time":"2026-12-02T02:00:27Z","Action":"output","Package":"p","Test":"TestJ","Output":"--- PASS: TestJ (0.00s)\n"}
	{"Time":"2026-12-02T02:00:27Z","Action":"pass","Package":"p","Test":"TestJ","Elapsed":0}
	{"Time":"2026-12-02T02:00:27Z","Action":"pass","Package":"p","Elapsed":0.1}
	/src/hack/tools/bin/kind-v0.29.0 delete cluster --name operator-controller-e2e
	Deleting cluster "operator-controller-e2e" ...
	EOT
	stamp <raw >log
'

# ev N KIND NAME: the event at line N of the log (1-based).
ev() {
	s=$((T0 + $1 - 1))
	if [ $(($1 % 2)) = 1 ]; then ms=250; else ms=000; fi
	printf "%d%s000000\t%s.%sZ\t%s\t%s\n" $s $ms \
	    "$(date -u -d @$s +%Y-%m-%dT%H:%M:%S)" $ms "$2" "$3"
}

test_expect_success 'the events of the log, exactly' '
	test-events log >actual 2>err &&
	test_must_be_empty err &&
	{
		printf "%s\n" "$HEAD"
		ev 1 phase-start cluster
		ev 3 phase-end cluster; ev 3 phase-start build
		ev 5 phase-end build; ev 5 phase-start image-build
		ev 7 phase-end image-build; ev 7 phase-start image-load
		ev 9 phase-end image-load; ev 9 phase-start deploy
		ev 10 phase-end deploy; ev 10 phase-start wait
		ev 12 phase-end wait; ev 12 phase-start e2e-parallel
		ev 14 feature "Install ClusterExtension"
		ev 15 scenario "Install latest available version"
		ev 17 scenario "Install <version>"
		ev 19 phase-end e2e-parallel; ev 19 phase-start e2e-serial
		ev 20 feature "Update ClusterCatalog"
		ev 21 scenario "Catalog is updated"
		ev 23 phase-end e2e-serial; ev 23 phase-start coverage
		ev 24 test-start TestUpgrade
		ev 25 test-start TestUpgrade/from_v1
		ev 26 test-pass TestUpgrade/from_v1
		ev 27 test-fail TestUpgrade
		ev 28 test-skip TestOther
		ev 29 test-start TestJ
		ev 31 test-pass TestJ
		ev 33 phase-end coverage; ev 33 phase-start teardown
		ev 34 phase-end teardown
	} >expect &&
	test_cmp expect actual &&
	test-events --patterns "$TEST_ROOT/lib/phases.tsv" log >file &&
	sed "2s|.*|##patterns	built-in|" file >actual &&
	test_cmp expect actual
'

test_expect_success 'stdin, CRLF lines, time zones; the phase ends at the last line' '
	printf "2026-12-02T03:00:00.5+01:00\tCreating cluster \"x\" ...\r\n" >in &&
	printf "1796176800999999999\tsome text\r\n" >>in &&
	test-events <in >actual &&
	printf "%s\n" "$HEAD" >expect &&
	printf "1796176800500000000\t2026-12-02T02:00:00.500Z\tphase-start\tcluster\n" >>expect &&
	printf "1796176800999999999\t2026-12-02T02:00:00.999Z\tphase-end\tcluster\n" >>expect &&
	test_cmp expect actual
'

test_expect_success '--patterns replaces the table (CRLF too): when, groups, \\\\, escaping' '
	printf "# mine\r\n\r\nphase\tsetup\t*\t^setup\$\r\n" >pat &&
	printf "phase\trun \\\\2/\\\\1\\\\\\\\\tsetup\t^run (a|b) (.*)\$\n" >>pat &&
	printf "test-start\t\\\\1\t*\t^=== RUN +(.*)\$\n" >>pat &&
	printf "0\trun a x\n1\tsetup\n2\trun a x\n3\trun b y\n4\t=== RUN   a\\tb\n" >in &&
	test-events --patterns pat in >actual &&
	cat >expect <<-\EOT &&
	##events	test-events
	##patterns	pat
	#time_ns	time	kind	name
	1	1970-01-01T00:00:00.000Z	phase-start	setup
	2	1970-01-01T00:00:00.000Z	phase-end	setup
	2	1970-01-01T00:00:00.000Z	phase-start	run x/a\\
	4	1970-01-01T00:00:00.000Z	test-start	a\tb
	4	1970-01-01T00:00:00.000Z	phase-end	run x/a\\
	EOT
	test_cmp expect actual
'

test_expect_success 'bad lines: reported with their line, skipped, exit 1' '
	printf "2026-12-02T02:00:00Z\tCreating cluster \"x\"\n" >in &&
	printf "no tab here\n2026-13-02T02:00:00Z\tx\n2026-12-02T02:00:00\tx\n" >>in &&
	printf "12a\tx\n2026-12-02T02:00:00.Z\tx\n9223372036854775808\tx\n" >>in &&
	printf "1970-01-01T00:30:00+01:00\tx\n1\ta\000b\n" >>in &&
	printf "1796176801000000000\tdone\n" >>in &&
	test_expect_code 1 test-events in missing >actual 2>err &&
	cat >expect <<-\EOT &&
	test-events: in:2: not TIME<TAB>text (TIME RFC 3339 or ns since the epoch): "no tab here"
	test-events: in:3: not TIME<TAB>text (TIME RFC 3339 or ns since the epoch): "2026-13-02T02:00:00Z"
	test-events: in:4: not TIME<TAB>text (TIME RFC 3339 or ns since the epoch): "2026-12-02T02:00:00"
	test-events: in:5: not TIME<TAB>text (TIME RFC 3339 or ns since the epoch): "12a"
	test-events: in:6: not TIME<TAB>text (TIME RFC 3339 or ns since the epoch): "2026-12-02T02:00:00.Z"
	test-events: in:7: not TIME<TAB>text (TIME RFC 3339 or ns since the epoch): "9223372036854775808"
	test-events: in:8: not TIME<TAB>text (TIME RFC 3339 or ns since the epoch): "1970-01-01T00:30:00+01:00"
	test-events: in:9: a NUL byte
	test-events: missing: No such file or directory
	EOT
	test_cmp expect err &&
	grep -v "^#" actual >rows &&
	printf "1796176800000000000\t2026-12-02T02:00:00.000Z\tphase-start\tcluster\n" >expect &&
	printf "1796176801000000000\t2026-12-02T02:00:01.000Z\tphase-end\tcluster\n" >>expect &&
	test_cmp expect rows
'

test_expect_success 'bad pattern tables: file:line: reason, exit 1, no output' '
	printf "phase\tx\n" >p1 &&
	printf "# c\nstep\tx\t*\ty\n" >p2 &&
	printf "phase\tx\t*\t(\n" >p3 &&
	printf "phase\t\\\\2\t*\t(a)\n" >p4 &&
	printf "phase\ta\\\\b\t*\ta\n" >p5 &&
	printf "phase\t\t*\ta\n" >p6 &&
	printf "# nothing\n" >p7 &&
	for p in p1 p2 p3 p4 p5 p6 p7 nope; do
		test_expect_code 1 test-events --patterns $p </dev/null \
		    >out.$p 2>>errs &&
		test_must_be_empty out.$p || return 1
	done &&
	sed "s/\(regular expression \"(\": \).*/\1.../" errs >actual &&
	cat >expect <<-\EOT &&
	test-events: p1:1: not kind, name, when and pattern, tab-separated
	test-events: p2:2: unknown kind "step"
	test-events: p3:1: bad regular expression "(": ...
	test-events: p4:1: name "\2" names a group the pattern has not
	test-events: p5:1: name "a\b": a backslash not before 1-9 or \
	test-events: p6:1: empty field
	test-events: p7: no patterns
	test-events: nope: No such file or directory
	EOT
	test_cmp expect actual
'

test_expect_success 'usage: exit 2; --help: stdout, exit 0' '
	test_expect_code 2 test-events --bogus 2>err &&
	grep "^usage: test-events \[--patterns file\] \[file \.\.\.\]$" err &&
	test-events --help >out &&
	grep "^usage: test-events \[--patterns file\] \[file \.\.\.\]$" out
'

test_done
