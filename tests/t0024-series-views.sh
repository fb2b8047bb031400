#!/bin/sh
test_description='pprof-series --also-series and --also-growth: several outputs from one reading, each as its own run writes it, whole or not at all'
. "$(dirname "$0")/lib.sh"

# stream: the heap sample stream of the lines on stdin: "profile SOURCE
# SECONDS" starts a block timed SECONDS after 1700000000, the lines after
# it are its rows, "alloc_objects alloc_space inuse_objects inuse_space
# stack".
stream() {
	awk '$1 == "profile" {
		printf "##profile\t%s\n##time\t%d000000000\t-\n##duration\t0\n", $2, 1700000000 + $3
		print "##period\t524288\tspace\tbytes\n##default_type\tinuse_space"
		print "##file\t/manager\n##build_id\tb1"
		print "#alloc_objects/count\talloc_space/bytes\tinuse_objects/count\tinuse_space/bytes\tsite\tlabels\tstack"
		next
	}
	{ print $1 "\t" $2 "\t" $3 "\t" $4 "\t0\t\t" $5 }'
}

S1='main.main;encoding/json.Unmarshal;main.leak'
S2='main.main;main.steady'
S3='main.main;sigs.k8s.io/yaml.Unmarshal;encoding/json.Unmarshal_[i]'

test_setup 'a heap series of four profiles with a restart' '
	stream >series <<-EOT &&
	profile heap0.pprof 0
	1 100 1 100 $S1
	1 1000 1 1000 $S2
	2 50 0 0 $S3
	profile heap1.pprof 60
	2 300 2 300 $S1
	1 1000 1 900 $S2
	4 100 1 30 $S3
	profile heap2.pprof 120
	1 100 1 100 $S1
	1 1000 1 1000 $S2
	profile heap3.pprof 180
	3 700 2 400 $S1
	1 1000 1 1000 $S2
	1 20 1 20 $S3
	EOT
	pprof-series series >inuse &&
	pprof-series -t alloc_space series >alloc &&
	pprof-series -g series >growth &&
	pprof-series -g --cum series >growth.cum &&
	pprof-series -s series >summary &&
	test "$(grep -c "^[0-9]" inuse)" = 4 &&
	test "$(grep -c "^[0-9]" growth)" = 3
'

test_expect_success 'the inuse series on stdout, the alloc series and the growth table in files, as three runs write them' '
	pprof-series --also-series alloc_space=a.tsv --also-growth g.tsv \
	    series >out &&
	test_cmp inuse out &&
	test_cmp alloc a.tsv &&
	test_cmp growth g.tsv
'

test_expect_success 'the growth table is of -t type; -s and --cum hold for it' '
	pprof-series -t alloc_space --also-series inuse_space=i.tsv \
	    --also-series alloc_space=a2.tsv series >out &&
	test_cmp alloc out &&
	test_cmp inuse i.tsv &&
	test_cmp alloc a2.tsv &&
	pprof-series -s --cum --also-growth gc.tsv series >out &&
	test_cmp summary out &&
	test_cmp growth.cum gc.tsv
'

test_expect_success 'the file keeps the shell mode of a new file, no temporary file is left' '
	rm -f a.tsv &&
	(umask 022 && pprof-series --also-series alloc_space=a.tsv series \
	    >out) &&
	ls -l a.tsv >mode &&
	cut -c1-10 mode >actual &&
	echo "-rw-r--r--" >expect &&
	test_cmp expect actual &&
	ls >files &&
	test_must_fail grep -q "\.tmp\." files
'

test_expect_success 'usage errors exit 2 and write nothing' '
	for a in "--also-series alloc_space" "--also-series =x.tsv" \
	    "--also-series alloc_space=" "-g --also-growth x.tsv" \
	    "--also-growth x.tsv --also-growth y.tsv" \
	    "--list-categories --also-series alloc_space=x.tsv" "--cum"; do
		# shellcheck disable=SC2086 # the words are the arguments
		test_expect_code 2 pprof-series $a series >out 2>err &&
		test_must_be_empty out &&
		test -s err || { echo "for: $a"; return 1; }
	done &&
	test ! -e x.tsv && test ! -e y.tsv
'

test_expect_success 'a type the stream lacks: exit 1, no file, nothing on stdout' '
	test_expect_code 1 pprof-series --also-series nope=n.tsv series \
	    >out 2>err &&
	test_must_be_empty out &&
	grep -q "no sample type nope" err &&
	test ! -e n.tsv
'

test_expect_success 'a file that cannot be written: exit 1 naming it, nothing on stdout' '
	test_expect_code 1 pprof-series --also-growth nodir/g.tsv series \
	    >out 2>err &&
	test_must_be_empty out &&
	grep -q "^pprof-series: nodir/g.tsv: No such file or directory" err
'

test_expect_success 'bad input: exit 1, no file written' '
	printf "profile heap1.pprof 60\nprofile heap0.pprof 0\n" | stream >older &&
	test_expect_code 1 pprof-series --also-series alloc_space=o.tsv \
	    --also-growth og.tsv older >out 2>err &&
	test_must_be_empty out &&
	grep -q "older than the one before it" err &&
	test ! -e o.tsv && test ! -e og.tsv
'

test_done
