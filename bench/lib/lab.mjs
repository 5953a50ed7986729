// The lab the bench measures against: `xdp-doctor lab up --lab-name NAME --fault veth-peer`, its names, and the
// traffic probe — the same nc argv the ladder fires (labProbeSpec), run in the client namespace.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { inNs, mustRun, run } from './proc.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

const { labProbeSpec } = await import(join(ROOT, 'dist', 'src', 'lab', 'probe.js'));

export function labNames(name) {
  return {
    name,
    ns: { client: `${name}-client`, gw: `${name}-gw`, lb: `${name}-lb`, real: `${name}-real` },
    // Route order, as the lab's hops (src/lab/target.ts labHops).
    hops: [
      { ns: `${name}-client`, iface: 'c0' }, { ns: `${name}-gw`, iface: 'g0' }, { ns: `${name}-gw`, iface: 'g1' },
      { ns: `${name}-lb`, iface: 'l0' }, { ns: `${name}-gw`, iface: 'g2' }, { ns: `${name}-real`, iface: 'r0' },
    ],
    lbIface: 'l0',
    peer: { ns: `${name}-gw`, iface: 'g1' },
  };
}

/** The probe as argv + stdin: nc in the client namespace, as `lab probe` and the ladder send it. */
export function probeCommand(name) {
  const spec = labProbeSpec(name);
  if (spec.netns?.kind !== 'name') throw new Error('unexpected probe namespace in labProbeSpec');
  return { argv: inNs(spec.netns.name, spec.argv), input: spec.input, expect: spec.expectStdout, timeoutMs: spec.timeoutMs };
}

/** Fires the probe once; ok when the echo came back. */
export async function probe(name) {
  const p = probeCommand(name);
  const r = await run(p.argv, { input: p.input, timeoutMs: p.timeoutMs + 2000 });
  return { ms: r.ms, ok: r.code === 0 && (!p.expect || r.stdout.includes(p.expect)), code: r.code };
}

/**
 * TCP connections opened from the lab's client namespace so far (TcpActiveOpens, `nstat -a -s -z -j` there): the
 * kernel counts one per connect(), whatever the SYN's fate, and the only thing that connects from that namespace is
 * the probe (`nc … VIP 50002`). The difference over a run is the number of probes that run sent. Undefined when
 * nstat did not answer.
 */
export async function probesSentSoFar(name) {
  const r = await run(inNs(labNames(name).ns.client, ['nstat', '-a', '-s', '-z', '-j']), { timeoutMs: 10_000 });
  if (r.code !== 0) return undefined;
  try {
    const v = JSON.parse(r.stdout).kernel?.TcpActiveOpens;
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

export async function labUp(name, faults = ['veth-peer']) {
  // A lab of this name left over from an interrupted bench: take it down first (only ours, by name).
  await run(['node', CLI, 'lab', 'down', '--lab-name', name], { timeoutMs: 60_000 });
  return mustRun(['node', CLI, 'lab', 'up', '--lab-name', name, ...faults.flatMap((f) => ['--fault', f])], { timeoutMs: 120_000 });
}

export function labDown(name) {
  return run(['node', CLI, 'lab', 'down', '--lab-name', name], { timeoutMs: 60_000 });
}
