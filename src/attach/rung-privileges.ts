// Precondition: the capabilities a load and an attach need (CAP_BPF or CAP_SYS_ADMIN to load, CAP_NET_ADMIN to
// attach: kernel/bpf/syscall.c bpf_prog_load(), net/core/rtnetlink.c do_setlink()), and bpffs, which loaders that pin
// (libxdp's dispatcher, bpftool prog load) need. Since 5.11 BPF memory is charged to the cgroup, not RLIMIT_MEMLOCK.
import type { Check, CheckResult } from '../engine/types.js';

const CAP = { NET_ADMIN: 12, SYS_ADMIN: 21, BPF: 39 } as const;

export function parseCapEff(status: string): bigint | undefined {
  const m = /^CapEff:\s*([0-9a-f]+)\s*$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : undefined;
}

const has = (caps: bigint, bit: number) => (caps >> BigInt(bit)) & 1n ? true : false;

export const privilegesRung: Check = {
  id: 'privileges', title: 'Privileges', rung: 7, question: 'May this process load and attach, and is bpffs mounted?',
  async run(ctx): Promise<CheckResult> {
    const caps = parseCapEff((await ctx.tools.files.read('/proc/self/status')) ?? '');
    const mounts = (await ctx.tools.files.read('/proc/self/mounts')) ?? '';
    const bpffs = mounts.split('\n').filter((l) => l.split(' ')[2] === 'bpf').map((l) => l.split(' ')[1]!);
    const evidence = [
      { label: 'CapEff', data: caps === undefined ? 'unreadable' : `0x${caps.toString(16)}` },
      { label: 'bpffs', data: bpffs.join(', ') || 'not mounted' },
    ];
    if (caps === undefined) return { status: 'skip', summary: 'capabilities unreadable (/proc/self/status)', evidence, findings: [] };
    const load = has(caps, CAP.BPF) || has(caps, CAP.SYS_ADMIN);
    const attach = has(caps, CAP.NET_ADMIN);
    const missing = [...(load ? [] : ['CAP_BPF (or CAP_SYS_ADMIN) to load']), ...(attach ? [] : ['CAP_NET_ADMIN to attach'])];
    const bpffsNote = bpffs.length ? `bpffs at ${bpffs.join(', ')}` : 'no bpffs mounted (pinning loaders such as libxdp need one: mount -t bpf bpf /sys/fs/bpf)';
    if (missing.length) {
      return {
        status: ctx.tools.dryRun ? 'fail' : 'warn', evidence, summary: `missing ${missing.join(' and ')}; ${bpffsNote}`,
        findings: [{ cause: 'attach-permission', risk: true, message: `this process lacks ${missing.join(' and ')}: the kernel will answer EPERM`, fixes: [{ title: 'run as root (sudo xdp-doctor attach …) or grant the capabilities', commands: [] }] }],
      };
    }
    return { status: bpffs.length ? 'pass' : 'warn', evidence, findings: [], summary: `may load and attach; ${bpffsNote}` };
  },
};
