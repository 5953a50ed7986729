// The pieces of `xdp-doctor attach` tests shared by the host's e2e (test/e2e/attach.test.ts) and the kernel suite
// (test/kernels/attach.test.ts): a namespace of the test's own, veth pairs in it, the built CLI's attach --json,
// and the verifier programs (test/verifier/*.c) with the rule and source line each is rejected for.
import { execa } from 'execa';
import { join } from 'node:path';
import { ROOT, runCli } from './cli.js';

export const B = (p: string) => join(ROOT, 'bpf', 'build', p);

// One program per rule (test/verifier/*.c): diagnosis[0] names the rule and the source line it was rejected at.
export const VERIFIER: [string, string, number][] = [
  ['pkt_no_bounds', 'verifier-packet-bounds', 11],
  ['map_null', 'verifier-map-value-null', 18],
  ['pkt_after_adjust', 'verifier-packet-after-adjust', 17],
  ['stack_oob', 'verifier-out-of-bounds', 14],
  ['unbounded_loop', 'verifier-too-complex', 15],
  ['helper_not_allowed', 'verifier-helper-not-allowed', 10],
  ['gpl_helper', 'verifier-gpl-helper', 8],
  ['core_missing_field', 'verifier-core-relocation', 15],
];

export const sh = async (argv: string[]) => {
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, timeout: 20_000 });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: exit ${r.exitCode}: ${String(r.stderr).trim()}`);
  return String(r.stdout);
};

/** Everything an attach test does inside namespace `ns`. */
export function attachKit(ns: string) {
  const ipn = (...a: string[]) => sh(['ip', '-n', ns, ...a]);
  const inNs = (argv: string[]) => ['nsenter', `--net=/run/netns/${ns}`, '--', ...argv];
  return {
    ipn, inNs,
    async fresh(): Promise<void> {
      await execa('ip', ['netns', 'del', ns], { reject: false });
      await sh(['ip', 'netns', 'add', ns]);
      await ipn('link', 'set', 'lo', 'up');
    },
    async vethPair(a: string, b: string, extra: { mtu?: number; queues?: boolean } = {}): Promise<void> {
      if (extra.queues) await ipn('link', 'add', a, 'numtxqueues', '1', 'numrxqueues', '1', 'type', 'veth', 'peer', 'name', b, 'numtxqueues', '4', 'numrxqueues', '4');
      else await ipn('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
      if (extra.mtu) { await ipn('link', 'set', b, 'mtu', String(extra.mtu)); await ipn('link', 'set', a, 'mtu', String(extra.mtu)); }
      await ipn('link', 'set', a, 'up');
      await ipn('link', 'set', b, 'up');
    },
    async attach(object: string, iface: string, ...more: string[]) {
      const r = await runCli(['attach', object, '--iface', iface, '--netns', ns, '--json', ...more], { timeoutMs: 240_000 });
      let report: any;
      try { report = JSON.parse(r.stdout); } catch { throw new Error(`attach --json printed no report (exit ${r.exitCode}): ${r.stderr.slice(0, 800)}`); }
      const top = report.diagnosis[0];
      const errored = report.checks.filter((c: any) => c.status === 'error').map((c: any) => `${c.id}: ${c.summary}`);
      return { ...r, report, top, errored, byId: Object.fromEntries(report.checks.map((c: any) => [c.id, c])) as Record<string, any> };
    },
    xdpOf: async (iface: string) => JSON.parse(await ipn('-j', 'link', 'show', 'dev', iface))[0].xdp,
    /** A fix's commands as the report gives them, run in the fix's namespace (the tests' own). */
    runFix: async (fix: any) => { for (const c of fix.commands) await sh(fix.netns ? inNs(c) : c); },
    down: () => execa('ip', ['netns', 'del', ns], { reject: false }),
  };
}
