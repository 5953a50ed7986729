// Rung 0: can this machine climb the ladder at all? Root, bpffs/tracefs/debugfs (mounted when absent),
// BTF, lockdown, whether fentry programs load (xdpdump needs them), and every tool with its version.
import {
  defineCheck, installLines, mountedAs, mountOptions, PREFLIGHT, TOOL_SPECS, tracefsRoot, type CheckContext,
  type Evidence, type PreflightFacts, type ToolName,
  binFingerprint, BOOT_ID_PATH, bootCachePath, parseBootFacts, reusableVersions, type BootFacts,
} from '../src/plugins/api.js';
import { dirname } from 'node:path';

// CAP_NET_ADMIN 12, CAP_SYS_ADMIN 21, CAP_PERFMON 38, CAP_BPF 39 (include/uapi/linux/capability.h).
const NEEDED_CAPS: [string, number][] = [['CAP_NET_ADMIN', 12], ['CAP_SYS_ADMIN', 21], ['CAP_PERFMON', 38], ['CAP_BPF', 39]];

/** Which rungs lose what when a tool is missing. */
const DEGRADES: Record<string, string> = {
  tcpdump: 'routing cannot see packets on the hops; xdpdump fallback cannot capture ingress',
  bpftrace: 'tracepoints cannot read xdp:* errnos',
  tshark: 'packet-sanity cannot dissect emitted packets',
  xdpdump: 'xdpdump falls back to replaying captured packets through BPF_PROG_TEST_RUN',
  ethtool: 'ethtool-stats cannot read driver XDP counters; inventory cannot read peer GRO',
  nstat: 'routing loses per-namespace SNMP counters (TcpInCsumErrors)',
};

export function missingCaps(statusText: string): string[] {
  const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(statusText)?.[1];
  if (!hex) return NEEDED_CAPS.map(([n]) => n);
  const eff = BigInt(`0x${hex}`);
  return NEEDED_CAPS.filter(([, bit]) => (eff & (1n << BigInt(bit))) === 0n).map(([n]) => n);
}

export default defineCheck({
  id: 'preflight',
  title: 'Preflight',
  question: 'Can this machine run the ladder: privileges, kernel file systems, BTF, fentry, tools?',
  rung: 0,
  timeoutMs: 20_000,
  async run(ctx) {
    const { files, exec } = ctx.tools;
    const evidence: Evidence[] = [];
    const problems: string[] = [];
    const degraded: string[] = [];

    const status = (await files.read('/proc/self/status')) ?? '';
    const caps = missingCaps(status);
    const root = process.getuid?.() === 0;
    if (!root || caps.length) problems.push(`not privileged enough: ${root ? '' : 'not root; '}missing ${caps.join(', ') || 'nothing'} (run as root)`);

    ctx.progress('checking kernel file systems');
    let mounts = (await files.read('/proc/mounts')) ?? '';
    const mounted: string[] = [];
    for (const [point, fstype] of [['/sys/fs/bpf', 'bpf'], ['/sys/kernel/tracing', 'tracefs'], ['/sys/kernel/debug', 'debugfs']] as const) {
      if (mountedAs(mounts, point, fstype)) continue;
      const r = await exec.run(['mount', '-t', fstype, fstype, point], { timeoutMs: 5000 });
      if (r.ok) mounted.push(`${fstype} on ${point}`);
      else evidence.push({ label: `mount ${fstype}`, data: r.stderr.trim() || `exit ${r.exitCode}` });
    }
    if (mounted.length) {
      evidence.push({ label: 'mounted (were absent)', data: mounted.join(', ') });
      mounts = (await files.read('/proc/mounts')) ?? mounts;
    }
    const bpffs = mountedAs(mounts, '/sys/fs/bpf', 'bpf') || ctx.tools.dryRun;
    const tracefs = tracefsRoot(mounts) ?? (ctx.tools.dryRun ? '/sys/kernel/tracing' : undefined);
    if (!bpffs) problems.push('bpffs is not mounted on /sys/fs/bpf and could not be mounted (mount -t bpf bpf /sys/fs/bpf)');
    else if (mountOptions(mounts, '/sys/fs/bpf').includes('ro')) {
      degraded.push('bpffs is mounted read-only: nothing can be pinned (fixes that keep a program alive fail); mount -o remount,rw /sys/fs/bpf');
    }
    if (!ctx.tools.dryRun && !(await files.exists('/proc/sys/kernel/unprivileged_bpf_disabled'))) {
      problems.push('this kernel has no BPF system call (CONFIG_BPF_SYSCALL off): XDP programs cannot be inspected');
    }
    if (!tracefs) degraded.push('tracefs not mountable: trace-pipe and tracepoints cannot run (mount -t tracefs tracefs /sys/kernel/tracing)');

    const btf = await files.exists('/sys/kernel/btf/vmlinux');
    if (!btf) degraded.push('no kernel BTF (/sys/kernel/btf/vmlinux): bpftrace tracepoint args and fentry are unavailable');
    const lockdown = (await files.read('/sys/kernel/security/lockdown'))?.trim();
    if (lockdown && !/\[none\]/.test(lockdown)) degraded.push(`kernel lockdown is ${lockdown}: BPF tracing (bpf_probe_read, trace_printk) may be refused`);

    ctx.progress('asking each tool for its version');
    const { tools, fentry, cache } = await bootFacts(ctx, status);
    for (const [tool, version] of Object.entries(tools)) {
      if (version === null) degraded.push(`${tool} missing: ${DEGRADES[tool] ?? 'the rungs that need it are skipped'}`);
    }
    // The exact lines for both families, whatever this host is: a report pasted into a ticket is read elsewhere.
    const absent = Object.entries(tools).filter(([, v]) => v === null).map(([t]) => TOOL_SPECS[t as ToolName].bin);
    const install = absent.length ? installLines(absent) : [];
    const installText = install.length ? [`to install the missing tools (nothing is installed for you):`, ...install.map((l) => `  ${l}`)] : [];
    if (fentry.ok === false) {
      degraded.push(`fentry programs cannot load here (${fentry.error}): xdpdump cannot attach; ` +
        'verdicts come from replaying captured packets through BPF_PROG_TEST_RUN instead');
    }

    const facts: PreflightFacts = { root, tracefs, bpffs, btf, lockdown, fentry: fentry.ok, fentryError: fentry.error, tools };
    ctx.facts.set(PREFLIGHT, facts);
    evidence.push(
      { label: 'privileges', data: root ? `root${caps.length ? `, missing ${caps.join(', ')}` : ', all needed capabilities'}` : 'not root' },
      { label: 'kernel file systems', data: `bpffs ${bpffs ? 'yes' : 'no'}, tracefs ${tracefs ?? 'no'}, BTF ${btf ? 'yes' : 'no'}, lockdown ${lockdown ?? 'not present'}` },
      { label: 'fentry', data: fentry.ok === 'unknown' ? `not tested (${fentry.error})` : fentry.ok ? 'loads' : `refused: ${fentry.error}` },
      { label: 'tools', data: tools },
      ...(cache ? [{ label: 'cached this boot', data: cache }] : []),
      ...(install.length ? [{ label: 'install missing tools', data: install.join('\n') }] : []),
    );
    if (problems.length) return { status: 'fail', summary: problems.join('; '), evidence, findings: [] };
    if (degraded.length) {
      return { status: 'warn', summary: `ready, degraded: ${degraded.length} limitation(s)`, evidence, findings: [], degraded: [...degraded, ...installText].join('\n') };
    }
    return { status: 'pass', summary: 'root, bpffs, tracefs, BTF, fentry and every tool present', evidence, findings: [] };
  },
});

/**
 * Tool versions and the fentry answer: this boot's cached ones where still valid (tools/boot-cache.ts), the rest
 * asked now; the result is written back for the next run. A dry run asks nothing of the cache.
 */
async function bootFacts(ctx: CheckContext, status: string): Promise<{
  tools: Record<string, string | null>; fentry: { ok: boolean | 'unknown'; error?: string }; cache?: string;
}> {
  const { files } = ctx.tools;
  const bootId = ctx.tools.dryRun ? undefined : (await files.read(BOOT_ID_PATH))?.trim() || undefined;
  if (!bootId) {
    const [tools, fentry] = await Promise.all([ctx.tools.versions(), fentryLoads(ctx)]);
    return { tools, fentry };
  }
  const capEff = /^CapEff:\s*(\S+)/m.exec(status)?.[1] ?? '';
  const path = bootCachePath();
  const cached = parseBootFacts(await files.read(path), bootId, capEff);
  const names = Object.keys(TOOL_SPECS) as ToolName[];
  const prints = Object.fromEntries(names.map((t) => [t, binFingerprint(TOOL_SPECS[t].bin)]));
  const { known, stale } = reusableVersions(cached, prints);
  const [fresh, fentry] = await Promise.all([
    stale.length ? ctx.tools.versions(stale as ToolName[]) : Promise.resolve({}),
    cached?.fentry ?? fentryLoads(ctx),
  ]);
  const all: Record<string, string | null> = { ...known, ...fresh };
  const tools = Object.fromEntries(names.map((t) => [t, all[t] ?? null]));
  const reused = names.filter((t) => t in known);
  const next: BootFacts = {
    bootId, capEff, tools: Object.fromEntries(names.map((t) => [t, { version: tools[t] ?? null, fingerprint: prints[t] ?? null }])),
    ...(fentry.ok === 'unknown' ? {} : { fentry: { ok: fentry.ok, ...(fentry.error ? { error: fentry.error } : {}) } }),
  };
  // Best effort: a read-only run directory only costs the next run the same questions.
  await files.mkdir(dirname(path)).then(() => files.write(path, `${JSON.stringify(next)}\n`)).catch(() => undefined);
  const parts = [
    reused.length ? `versions of ${reused.length === names.length ? 'every tool' : reused.join(', ')} (binaries unchanged)` : '',
    cached?.fentry ? 'the fentry answer' : '',
  ].filter(Boolean);
  return { tools, fentry, ...(parts.length ? { cache: `${parts.join(' and ')} from this boot's preflight (boot_id ${bootId.slice(0, 8)}…, ${path})` } : {}) };
}

/** Loads a tiny fentry program (bpf/fentry_probe.c) and unpins it: the only honest way to know. */
async function fentryLoads(ctx: CheckContext): Promise<{ ok: boolean | 'unknown'; error?: string }> {
  const built = await ctx.tools.bpfObject('fentry_probe.o', ctx.signal);
  if ('error' in built) return { ok: 'unknown', error: built.error };
  const obj = built.path;
  const pin = `/sys/fs/bpf/xdp-doctor-fentry-${process.pid}`;
  const r = await ctx.tools.exec.run(['bpftool', 'prog', 'load', obj, pin], { timeoutMs: 10_000 });
  if (r.ok) await ctx.tools.exec.run(['rm', '-f', pin], { timeoutMs: 5000 });
  if (r.ok) return { ok: true };
  const msg = /Operation not permitted|Permission denied|Invalid argument|[A-Za-z ]+\(-?\d+\)/.exec(r.stderr)?.[0] ?? (r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`);
  return { ok: false, error: msg };
}
