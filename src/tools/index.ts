// The tools a check may use, bound to one Exec and one Files. Checks get this as ctx.tools; tests build it
// over a fake Exec that replays recorded output, so no check ever needs a module mock.
import type { Exec } from './exec.js';
import { realFiles, type Files } from './files.js';
import { createIp } from './ip.js';
import { createBpftool } from './bpftool.js';
import { createTcpdump } from './tcpdump.js';
import { createNstat } from './nstat.js';
import { createTracePipe } from './trace-pipe.js';
import { createEthtool } from './ethtool.js';
import { createBpftrace } from './bpftrace.js';
import { createXdpdump } from './xdpdump.js';
import { createTshark } from './tshark.js';
import { createXdpLoader } from './xdp-loader.js';

export interface Tools {
  exec: Exec;
  files: Files;
  /** --dry-run: commands are recorded, not run. Checks may use it to skip work that needs real output. */
  dryRun: boolean;
  ip: ReturnType<typeof createIp>;
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
}

export function createTools(exec: Exec, opts: { dryRun?: boolean; files?: Files } = {}): Tools {
  const files = opts.files ?? realFiles;
  return {
    exec, files, dryRun: opts.dryRun ?? false,
    ip: createIp(exec),
    bpftool: createBpftool(exec),
    tcpdump: createTcpdump(exec),
    nstat: createNstat(exec),
    tracePipe: createTracePipe(exec, files),
    ethtool: createEthtool(exec),
    bpftrace: createBpftrace(exec, files),
    xdpdump: createXdpdump(exec),
    tshark: createTshark(exec),
    xdpLoader: createXdpLoader(exec),
  };
}
