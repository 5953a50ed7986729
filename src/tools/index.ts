// The tools a check may use, bound to one Exec and one Files. Checks get this as ctx.tools; tests build it
// over a fake Exec that replays recorded output, so no check ever needs a module mock.
import type { Exec } from './exec.js';
import { realFiles, type Files } from './files.js';
import { createIp } from './ip.js';
import { createStat } from './stat.js';
import { createBpftool } from './bpftool.js';
import { createTcpdump } from './tcpdump.js';
import { createNstat } from './nstat.js';
import { createTracePipe } from './trace-pipe.js';
import { createEthtool } from './ethtool.js';
import { createBpftrace } from './bpftrace.js';
import { createXdpdump } from './xdpdump.js';
import { createTshark } from './tshark.js';
import { createXdpLoader } from './xdp-loader.js';
import { progRun, type ProgRef, type ProgRunOptions } from './bpftool-prog-run.js';
import { linkHolders, xdpLinksOf } from './bpf-links.js';
import { findVethPeer } from './veth-peer.js';
import { netnsInode } from './netns-inode.js';
import { toolVersions, type ToolName } from './versions.js';
import { BpfBuildError, ensureBpfObjects, type BpfObjectName } from './bpf-objects.js';
import type { NetnsRef } from './netns.js';
import type { LinkInfo } from './ip.js';

export interface Tools {
  exec: Exec;
  files: Files;
  /** --dry-run: commands are recorded, not run. Checks may use it to skip work that needs real output. */
  dryRun: boolean;
  ip: ReturnType<typeof createIp>;
  /** Inode numbers (`stat -L -c %i`): which namespace a name or a process's /proc/PID/ns/net is. */
  stat: ReturnType<typeof createStat>;
  bpftool: ReturnType<typeof createBpftool>;
  tcpdump: ReturnType<typeof createTcpdump>;
  nstat: ReturnType<typeof createNstat>;
  tracePipe: ReturnType<typeof createTracePipe>;
  ethtool: ReturnType<typeof createEthtool>;
  bpftrace: ReturnType<typeof createBpftrace>;
  xdpdump: ReturnType<typeof createXdpdump>;
  tshark: ReturnType<typeof createTshark>;
  /** libxdp's view (xdp-loader status): the components behind a multiprog dispatcher. */
  xdpLoader: ReturnType<typeof createXdpLoader>;
  /** BPF_PROG_TEST_RUN through bpftool: a packet through a loaded program, its verdict and the packet it made. */
  progRun(prog: ProgRef, input: Buffer, opts?: ProgRunOptions): ReturnType<typeof progRun>;
  /** bpf_links: the XDP links holding a program, and the processes holding a link open (/proc/PID/fdinfo). */
  links: { ofXdpProgram(progId: number): ReturnType<typeof xdpLinksOf>; holders(linkId: number): ReturnType<typeof linkHolders> };
  /** A network namespace's nsfs inode (the host's own when netns is absent): see tools/netns-inode.ts. */
  netnsInode(netns?: NetnsRef): Promise<string | undefined>;
  /** The other end of a veth: in the same namespace, a named one, or one only a process holds. */
  vethPeer(link: LinkInfo, netns?: NetnsRef): ReturnType<typeof findVethPeer>;
  /** Each tool's version, null when it is not installed. */
  versions(tools?: ToolName[]): Promise<Record<string, string | null>>;
  /**
   * The path of one of xdp-doctor's own BPF objects, built from the shipped source when missing; an error
   * (one line, with the install hint) when it cannot be built.
   */
  bpfObject(name: BpfObjectName, signal?: AbortSignal): Promise<{ path: string } | { error: string }>;
}

export function createTools(exec: Exec, opts: { dryRun?: boolean; files?: Files } = {}): Tools {
  const files = opts.files ?? realFiles;
  const dryRun = opts.dryRun ?? false;
  const ip = createIp(exec);
  return {
    exec, files, dryRun,
    ip,
    stat: createStat(exec),
    bpftool: createBpftool(exec),
    tcpdump: createTcpdump(exec),
    nstat: createNstat(exec),
    tracePipe: createTracePipe(exec, files),
    ethtool: createEthtool(exec),
    bpftrace: createBpftrace(exec, files),
    xdpdump: createXdpdump(exec),
    tshark: createTshark(exec),
    xdpLoader: createXdpLoader(exec),
    progRun: (prog, input, o) => progRun(exec, prog, input, o),
    links: { ofXdpProgram: (progId) => xdpLinksOf(exec, progId), holders: (linkId) => linkHolders(files, linkId) },
    netnsInode: (netns) => netnsInode(exec, netns),
    vethPeer: (link, netns) => findVethPeer(ip, files, link, netns),
    versions: (tools) => toolVersions(exec, tools),
    bpfObject: async (name, signal) => {
      try {
        const paths = await ensureBpfObjects(exec, [name], { signal, dryRun });
        return { path: paths[name] };
      } catch (e) {
        if (e instanceof BpfBuildError) return { error: e.message };
        throw e;
      }
    },
  };
}
