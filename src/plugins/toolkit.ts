// Helpers over the tools' output, part of the public plugin API: the parsers, deltas and bpftrace programs the
// built-in rungs use, so a plugin reads tcpdump lines, bpftrace maps or a pcap exactly as they do. Running a tool
// goes through ctx.tools; everything here is pure (text or bytes in, data out).

// Output shapes of ctx.tools.
export type { LinkInfo } from '../tools/ip.js';
export type { MapInfo, MapDump, MapEntry, ProgInfo } from '../tools/bpftool.js';
export type { TcpdumpPacket } from '../tools/tcpdump.js';
export type { Counters } from '../tools/nstat.js';
export type { EthtoolSample } from '../tools/ethtool.js';
export type { TsharkPacket, ExpertItem, Ipv4Layer, Ipv6Layer } from '../tools/tshark.js';
export type { TraceLine } from '../tools/trace-pipe.js';
export type { PcapPacket, WritePacket } from '../tools/pcap.js';
export type { BpftraceJson, XdpTraceBucket, XdpTracepointSpec } from '../tools/bpftrace.js';
export type { DropBucket } from '../tools/drop-reasons.js';
export type { ProgRef, ProgRunResult } from '../tools/bpftool-prog-run.js';

/** A tool printed something its parser cannot read: `excerpt` holds what it printed. */
export { ToolOutputError } from '../tools/json.js';

// Namespaces, addresses, mounts.
export { nsLabel, sameNetns } from '../tools/netns.js';
export { cpuSpan, parseCpuList } from '../tools/cpus.js';
export { forwardingKey, parseSysctlInt } from '../tools/sysctl.js';
export { neighbourValid, parseRouteGet } from '../tools/ip.js';
export type { Neighbour, RouteGet } from '../tools/ip.js';
export { helperName, parseXlatedJson, programCalls } from '../tools/bpftool-xlated.js';
export type { HelperUse, ProgramCalls, XlatedInsn } from '../tools/bpftool-xlated.js';
export { ipv4Octets, ipv4ToU32, ipv6Bytes, ipv6FromBytes, ipv6Text, ipv6Words, macOf, u32ToIpv4 } from '../tools/addresses.js';
export { mountedAs, mountOptions } from '../tools/mounts.js';

// tcpdump, nstat, ethtool -S.
export { parseTcpdumpOutput } from '../tools/tcpdump.js';
export { counterDeltas } from '../tools/nstat.js';
export { COMMON_COUNTERS, DROP_COUNTERS, statsDelta } from '../tools/ethtool.js';

// bpftool: map values, and the bpf_printk formats in a program's .rodata.
export { isEmptySlot, perCpuSum, printkFormats } from '../tools/bpftool.js';

// trace_pipe and tracefs.
export { formatToRegex, parseTraceLine, splitAtMarker, tracefsRoot } from '../tools/trace-pipe.js';

// The one attach timeout (XDP_DOCTOR_ATTACH_TIMEOUT_MS): how long a collector may take to attach.
export { attachTimeoutMs } from '../tools/attach-timeout.js';

// Facts that cannot change within a boot (tool versions, fentry), cached per boot_id and revalidated by a stat.
export { readSkbOffsets, type SkbOffsets, type SkbOffsetsRead } from '../tools/btf-offsets.js';
export { binFingerprint, BOOT_ID_PATH, bootCachePath, parseBootFacts, reusableVersions, type BootFacts } from '../tools/boot-cache.js';

// bpftrace: the xdp:* program and its buckets; skb:kfree_skb drop reasons.
export {
  XDP_TRACEPOINTS, mapsPrinted, missingKernelHeaders, parseBpftraceJson, parseBpftraceStderr, parseErrorLine, xdpBuckets, xdpTraceProgram,
} from '../tools/bpftrace.js';
export { dropBuckets, dropReasonsProgram, hasDropReasons, L3 as L3_ETHERTYPE, parseDropLine, parseDropReasonNames } from '../tools/drop-reasons.js';

// xdpdump and pcap files.
export { actionName, isPermissionFailure, pairXdpdumpEvents, parseXdpdumpOutput, xdpdumpFailure } from '../tools/xdpdump.js';
export { LINKTYPE_ETHERNET, readPcap, summarizeFrame, writePcap } from '../tools/pcap.js';
// What a program did to a packet: the frame before and after, decoded and compared.
export { decodeFrame } from '../tools/frame.js';
export type { ChecksumState, DecodedFrame, IpHeader, Transport } from '../tools/frame.js';
export { describeChange, describeChanges, describePacketGroup, tripOf } from '../tools/frame-diff.js';
export type { ChangeField, ChecksumTrip, FrameSummary, PacketChange, PacketTrip } from '../tools/frame-diff.js';

// libxdp, packages.
export { DISPATCHER_NAME } from '../tools/xdp-loader.js';
export { installLines, kernelHeadersInstallLines } from '../tools/packages.js';
export { TOOL_SPECS } from '../tools/versions.js';
