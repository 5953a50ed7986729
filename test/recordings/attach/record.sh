#!/bin/bash
# Records what iproute2, ethtool and bpftool print for each attach refusal and each verifier rejection on this
# machine, into test/recordings/attach/ and test/recordings/verifier/. Run as root from the repository root, under
# the kernel lock: flock /run/xdp-doctor-kernel.lock bash test/recordings/attach/record.sh
# Everything happens in one namespace named after this shell's pid, deleted on every exit path.
set -u
B=bpf/build; R=test/recordings/attach; V=test/recordings/verifier
NS=xa-rec-$$; HOLD=
cleanup() { [ -n "$HOLD" ] && kill $HOLD 2>/dev/null; wait 2>/dev/null; ip netns del $NS 2>/dev/null; }
trap cleanup EXIT
ip netns add $NS
N=(ip -n $NS); E=(nsenter --net=/run/netns/$NS)
rec() { local f=$1; shift; "$@" >$R/$f.stdout 2>$R/$f.stderr; echo $? >$R/$f.exit; }
"${N[@]}" link set lo up
"${N[@]}" link add xv0 type veth peer name xv1
"${N[@]}" link set xv1 mtu 9000; "${N[@]}" link set xv0 mtu 9000
"${N[@]}" link set xv0 up; "${N[@]}" link set xv1 up
rec veth-mtu-9000.ip-link-show "${N[@]}" -j -d link show dev xv0
rec veth-mtu-9000.ip-link-show-all "${N[@]}" -j -d link show
rec veth-mtu-9000.ethtool-l "${E[@]}" ethtool -l xv0
rec veth-mtu-9000-peer.ethtool-l "${E[@]}" ethtool -l xv1
rec getconf-pagesize getconf PAGESIZE
rec proc-self-status cat /proc/self/status
rec proc-self-mounts cat /proc/self/mounts
rec veth.ethtool-i "${E[@]}" ethtool -i xv0
rec veth-mtu-erange "${N[@]}" link set dev xv0 xdpdrv obj $B/xdp_pass.o sec xdp
rec veth-mtu-frags-ok "${N[@]}" link set dev xv0 xdpdrv obj $B/zoo/zoo_pass_frags.o sec xdp.frags
rec veth-attached-native.ip-link-show "${N[@]}" -j -d link show dev xv0
rec veth-generic-over-native "${N[@]}" link set dev xv0 xdpgeneric obj $B/xdp_pass.o sec xdp
rec veth-native-over-native "${N[@]}" link set dev xv0 xdpdrv obj $B/xdp_pass.o sec xdp
"${N[@]}" link set dev xv0 xdpdrv off; "${N[@]}" link set xv1 mtu 1500
"${N[@]}" link set dev xv0 xdpgeneric obj $B/xdp_pass.o sec xdp
rec veth-attached-generic.ip-link-show "${N[@]}" -j -d link show dev xv0
rec veth-native-over-generic "${N[@]}" link set dev xv0 xdpdrv obj $B/xdp_pass.o sec xdp
"${N[@]}" link set dev xv0 xdpgeneric off
"${N[@]}" link add xm0 link xv1 type macvlan mode bridge; "${N[@]}" link set xm0 up
rec macvlan.ip-link-show "${N[@]}" -j -d link show dev xm0
rec macvlan.ethtool-i "${E[@]}" ethtool -i xm0
rec macvlan-native "${N[@]}" link set dev xm0 xdpdrv obj $B/xdp_pass.o sec xdp
"${N[@]}" link add xq0 numtxqueues 4 numrxqueues 4 type veth peer name xq1 numrxqueues 1 numtxqueues 4
"${N[@]}" link set xq0 up; "${N[@]}" link set xq1 up
rec veth-queues.ip-link-show "${N[@]}" -j -d link show dev xq1
rec veth-queues.ip-link-show-all "${N[@]}" -j -d link show
rec veth-queues-peer.ip-link-show "${N[@]}" -j -d link show dev xq0
rec veth-queues.ethtool-l "${E[@]}" ethtool -l xq1
rec veth-queues-peer.ethtool-l "${E[@]}" ethtool -l xq0
rec veth-queues-enospc "${N[@]}" link set dev xq1 xdpdrv obj $B/xdp_pass.o sec xdp
rec veth-queues-lower-peer-tx "${E[@]}" ethtool -L xq0 tx 1
rec veth-queues-after-lower "${N[@]}" link set dev xq1 xdpdrv obj $B/xdp_pass.o sec xdp
"${N[@]}" link set xv0 mtu 1500
rec wrong-section "${N[@]}" link set dev xv1 xdpdrv obj $B/zoo/zoo_two_progs.o sec nope
rec wrong-program "${N[@]}" link set dev xv1 xdpdrv obj $B/zoo/zoo_two_progs.o program nope
rec right-program "${N[@]}" link set dev xv1 xdpdrv obj $B/zoo/zoo_two_progs.o program drop_second
rec right-program.ip-link-show "${N[@]}" -j -d link show dev xv1
"${N[@]}" link set dev xv1 xdpdrv off
# A bpf_link holds xv0's hook: netlink cannot replace or remove it.
"${E[@]}" $B/zoo/xdp_link_hold $B/xdp_pass.o xv0 >/dev/null & HOLD=$!
sleep 1
rec link-held.ip-link-show "${N[@]}" -j -d link show dev xv0
rec link-held.bpftool-link-show bpftool -j link show
rec link-held-native "${N[@]}" link set dev xv0 xdpdrv obj $B/xdp_pass.o sec xdp
rec link-held-force "${N[@]}" -force link set dev xv0 xdpdrv obj $B/xdp_pass.o sec xdp
rec link-held-off "${N[@]}" link set dev xv0 xdpdrv off
kill $HOLD; wait $HOLD 2>/dev/null; HOLD=
for o in $B/verifier/*.o; do
  n=$(basename $o .o)
  "${N[@]}" link set dev lo xdpgeneric obj $o sec xdp >$V/$n.ip-stdout 2>$V/$n.ip-stderr; echo $? >$V/$n.ip-exit
  "${N[@]}" link set dev lo xdpgeneric off 2>/dev/null
done
# The loop's log is the verifier's whole walk (~118 MB): keep its head and its tail, where the rejection is.
f=$V/unbounded_loop.ip-stderr; n=$(wc -l <$f)
if [ "$n" -gt 200 ]; then { head -40 $f; echo "[... $((n-80)) lines of the verifier's walk left out by the recording (the file was $(($(wc -c <$f)/1000000)) MB); the tail follows as printed ...]"; tail -40 $f; } >$f.tmp && mv $f.tmp $f; fi
uname -r >$R/kernel-release
