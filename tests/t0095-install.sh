#!/bin/sh
test_description='make install and uninstall: programs, wrapper, man pages, categories'
. "$(dirname "$0")/lib.sh"

progs='pprof-decode pprof-top pprof-fetch pprof-series pprof-diff pprof-encode
    pprof-memstats set-stats test-events phase-split leak-verdict md-report e2e-profile'

test_expect_success 'make install puts every program and page under DESTDIR' '
	make -s -C "$TEST_ROOT" install DESTDIR="$TRASH/root" PREFIX=/usr/local >out 2>&1 &&
	for p in $progs; do
		test -x root/usr/local/bin/$p &&
		test -f root/usr/local/share/man/man1/$p.1 || return 1
	done &&
	test -f root/usr/local/share/e2e-profile/categories.tsv &&
	test -f root/usr/local/share/e2e-profile/phases.tsv &&
	(cd "$TEST_ROOT/scripts/e2e-profile.d" && ls) >expect &&
	(cd root/usr/local/share/e2e-profile && ls *.sh) >actual &&
	test_cmp expect actual
'

test_expect_success 'every man page renders without warnings' '
	for p in $progs; do
		MANWIDTH=80 man -l root/usr/local/share/man/man1/$p.1 >page 2>warn &&
		grep -q "^NAME" page &&
		test_must_be_empty warn || return 1
	done
'

test_expect_success 'installed programs answer --version and --help' '
	for p in $progs; do
		[ $p = e2e-profile ] && continue
		root/usr/local/bin/$p --version >v &&
		grep -q "^$p [0-9]" v &&
		root/usr/local/bin/$p --help >h &&
		grep -q "^usage: $p" h || return 1
	done &&
	root/usr/local/bin/e2e-profile help >h &&
	grep -q "e2e-profile" h &&
	test_expect_code 2 root/usr/local/bin/e2e-profile compare 2>err &&
	grep "compare: needs two run names" err
'

test_expect_success 'make uninstall removes them again' '
	make -s -C "$TEST_ROOT" uninstall DESTDIR="$TRASH/root" PREFIX=/usr/local >out 2>&1 &&
	find root -type f >left &&
	test_must_be_empty left
'

test_done
