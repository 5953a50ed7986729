// Rung 8.8: what the program calls, checked against this host. Inventory read the helpers from the kernel
// (bpftool prog dump xlated); each helper with a precondition on the host gets it checked here, after the window,
// so a failed precondition is judged against what the run saw: a risk (a note on this rung) until the kernel
// dropped the flow the way that precondition makes it drop, then the cause, with its fix.
// First slice: bpf_fib_lookup() — forwarding on the ingress device, the followed flow's next-hop neighbour.
import {
  defineCheck, DROPS, followedFlow, forwardingKey, INVENTORY, parseSysctlInt,
  type CheckContext, type DropFacts, type Evidence, type InventoryFacts,
} from '../src/plugins/api.js';
import { judgeFib, type FibReadings } from './fib-preconditions.js';

export default defineCheck({
  id: 'helper-preconditions',
  title: 'Helper preconditions on this host',
  question: 'Does this host give the helpers the program calls what they need (bpf_fib_lookup: forwarding, the next hop\'s neighbour)?',
  rung: 8.8,
  needs: ['ip'],
  after: ['inventory', 'drop-reasons'],
  timeoutMs: 15_000,
  async run(ctx) {
    const inv = ctx.facts.get<InventoryFacts>(INVENTORY);
    if (!inv?.progId) return { status: 'skip', summary: 'no program inventoried: nothing to check', evidence: [], findings: [] };
    if (!inv.calls) return { status: 'skip', summary: 'the program\'s helper calls could not be read (see the inventory rung)', evidence: [], findings: [] };
    const called = inv.calls.helpers.map((h) => h.helper);
    const evidence: Evidence[] = [{ label: 'helpers called', data: called.length ? called.join(', ') : 'none' }];
    if (!called.includes('fib_lookup')) {
      return { status: 'pass', summary: 'the program calls no helper whose host preconditions this rung checks (bpf_fib_lookup)', evidence, findings: [] };
    }

    ctx.progress('bpf_fib_lookup: forwarding on the ingress device, the next hop\'s neighbour');
    const readings = await readFib(ctx, inv);
    const { findings, lines } = judgeFib(readings);
    evidence.push({ label: 'bpf_fib_lookup', data: lines.join('\n') });
    const observed = findings.filter((f) => !f.risk);
    const summary = findings.length
      ? findings.map((f) => SHORT[f.cause] ?? f.cause).join('; ') + ` (${observed.length ? 'observed this run' : 'not observed this run'})`
      : 'bpf_fib_lookup has what it needs here: forwarding on, the next hop resolved';
    return { status: observed.length ? 'fail' : findings.length ? 'warn' : 'pass', summary, evidence, findings };
  },
});

const SHORT: Record<string, string> = {
  'fib-forwarding-disabled': 'bpf_fib_lookup answers FWD_DISABLED: forwarding is off on the ingress device',
  'fib-no-neighbour': 'bpf_fib_lookup answers NO_NEIGH: the next hop has no valid neighbour entry',
};

async function readFib(ctx: CheckContext, inv: InventoryFacts): Promise<FibReadings> {
  const netns = inv.netns;
  const sysctl = async (key: string) => {
    const r = await ctx.tools.exec.run(['sysctl', '-n', key], { netns, timeoutMs: 5000, signal: ctx.signal });
    return r.ok ? parseSysctlInt(r.stdout) : undefined;
  };
  const forwarding = await Promise.all(([4, 6] as const).map(async (family) => ({ family, value: await sysctl(forwardingKey(family, inv.iface)) })));
  const dst = followedFlow(ctx.target)?.ip;
  const flow = dst
    ? { dst, route: await ctx.tools.ip.routeGet(dst, netns), neighbours: await ctx.tools.ip.neighbours(netns) }
    : undefined;
  return {
    iface: inv.iface, netns, progId: inv.progId, forwarding, flow,
    drops: ctx.facts.get<DropFacts>(DROPS)?.drops,
  };
}
