#!/bin/sh
test_description='pprof-top --format pprof against go tool pprof -top itself, on profiles of the project Go workload'
. "$(dirname "$0")/lib.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'

# go tool pprof keeps state under HOME; keep it in the trash directory.
HOME=$TRASH
export HOME

test_setup 'run the workload and fetch its profiles' '
	start_server W workload -leak 4194304 -churn 8388608 -cpu 0.5 \
	    -goroutines 7 &&
	sleep 1 &&
	curl -sf -o heap1.pb.gz "$W/debug/pprof/heap?gc=1" &&
	curl -sf -o cpu.pb.gz "$W/debug/pprof/profile?seconds=2" &&
	curl -sf -o heap2.pb.gz "$W/debug/pprof/heap?gc=1" &&
	curl -sf -o allocs.pb.gz "$W/debug/pprof/allocs" &&
	curl -sf -o goroutine.pb.gz "$W/debug/pprof/goroutine" &&
	stop_servers
'

# check NAME PPROF-OPTIONS -- PPROF-TOP-OPTIONS -- FILES
check() {
	name=$1
	shift
	gopts='' topts=''
	while [ "$1" != -- ]; do gopts="$gopts $1"; shift; done
	shift
	while [ "$1" != -- ]; do topts="$topts $1"; shift; done
	shift
	test_expect_success "$name" "
		go tool pprof -top -symbolize=none $gopts $* >expect 2>/dev/null &&
		pprof-decode $* >stream &&
		pprof-top --format pprof $topts stream >actual &&
		test_cmp expect actual
	"
}

for t in alloc_objects alloc_space inuse_objects inuse_space; do
	check "heap, $t" -sample_index=$t -- -t $t -- heap1.pb.gz
	check "heap, $t, every node" -sample_index=$t -nodefraction=0 -- \
	    -t $t --nodefraction 0 -- heap2.pb.gz
done
check 'heap, default type' -- -- heap2.pb.gz
check 'allocs, default type (alloc_space)' -- -- allocs.pb.gz
check 'two heap profiles merged' -sample_index=inuse_space -- \
    -t inuse_space -- heap1.pb.gz heap2.pb.gz
check 'cpu' -- -- cpu.pb.gz
check 'cpu, samples' -sample_index=samples -- -t samples -- cpu.pb.gz
check 'cpu, top 5' -nodecount=5 -- -n 5 -- cpu.pb.gz
check 'cpu, by cum' -cum -- --sort cum -- cpu.pb.gz
# pprof's -focus and -ignore also match source file names (time.Now lives
# in runtime/timestub.go) and the binary's path; pprof-top's match only
# function names, so the patterns here are anchored to names.
check 'cpu, focus' -focus='^main\.burnCPU$' -- --focus '^main\.burnCPU$' -- \
    cpu.pb.gz
check 'cpu, ignore' -ignore='^runtime\.' -- --ignore '^runtime\.' -- cpu.pb.gz
check 'heap, focus and ignore' -sample_index=alloc_space \
    -focus='^encoding/json\.' -ignore='^reflect\.' -- -t alloc_space \
    --focus '^encoding/json\.' --ignore '^reflect\.' -- allocs.pb.gz
check 'goroutine' -- -- goroutine.pb.gz

test_done
