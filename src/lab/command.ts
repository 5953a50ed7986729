// `xdp-doctor lab <verb>`: argv → verb → run → exit code. 0 ok, 1 failed (environment, lab state, probe lost),
// 2 bad input. The work lives in up.ts, down.ts, probe.ts, status.ts and faults.ts.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { realExec } from '../tools/exec.js';
import { createIp } from '../tools/ip.js';
import { labDown } from './down.js';
import { FAULT_IDS, type FaultId, LAB_FAULTS, type LabContext, faultSteps, isFaultId } from './faults.js';
import { labObjects } from './paths.js';
import { requireBpf, requireBpffs, requireObjects, requireRoot, requireTools } from './preflight.js';
import { DEFAULT_PROBE_TIMEOUT_MS, type LabProbeResult, runLabProbe } from './probe.js';
import { readState, writeState } from './state.js';
import { formatStatus, labStatus } from './status.js';
import { LabError, describeStep, runSteps, withSignal } from './steps.js';
import { DEFAULT_PREFIX, VIP, VIP6, VIP_PORT, allNamespaces, pinDir, validLabName } from './topology.js';
import { labUp } from './up.js';

type IO = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

const VERBS = ['up', 'down', 'status', 'probe', 'break', 'fix'] as const;
type Verb = (typeof VERBS)[number];

const USAGE = `Usage: xdp-doctor lab <verb> [--lab-name NAME]

The blog's load-balancer topology (client, gw, lb, real) in network namespaces NAME-client ... NAME-real.

Verbs:
  up [--fault F]...      build the lab (healthy unless faults are given)
     [--ipv6]            dual stack: the LB also balances [fd00:192:168:10::1]:50002 (IPv6-in-IPv6),
                         and \`lab probe\`, the faults and \`xdp-doctor --lab\` use that IPv6 path
  down                   remove everything of the lab; safe to repeat
  status [--json]        topology, XDP programs per interface, params map, active faults
  probe [--timeout MS]   send a string from the client to the VIP (192.168.10.1:50002, or the IPv6 VIP of a
                         --ipv6 lab); exit 0 only if it echoes back
  break F | fix F        turn one fault on or off on a running lab

Options:
  --lab-name NAME        namespace prefix, [a-z0-9-]{1,10} (default ${DEFAULT_PREFIX})
  -h, --help             this text

Faults:
${FAULT_IDS.map((f) => `  ${f.padEnd(14)} ${LAB_FAULTS[f].title}`).join('\n')}
`;

const HINT = 'see `xdp-doctor lab --help`';

const common = { 'lab-name': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
const OPTIONS = {
  up: { ...common, fault: { type: 'string', multiple: true }, ipv6: { type: 'boolean' } },
  down: common,
  status: { ...common, json: { type: 'boolean' } },
  probe: { ...common, timeout: { type: 'string' } },
  break: common,
  fix: common,
} as const;
const POSITIONALS: Record<Verb, number> = { up: 0, down: 0, status: 0, probe: 0, break: 1, fix: 1 };

function unknownFault(f: string): LabError {
  return new LabError(`unknown fault "${f}"; valid faults: ${FAULT_IDS.join(', ')}`, 2);
}

export async function labCommand(args: string[], io: IO): Promise<number> {
  const out = (s: string) => io.stdout.write(s.endsWith('\n') ? s : s + '\n');
  const err = (s: string) => io.stderr.write(`xdp-doctor lab: ${s}\n`);
  const [verb, ...rest] = args;
  if (verb === undefined) {
    err(`missing verb (${VERBS.join(', ')}); ${HINT}`);
    return 2;
  }
  if (verb === '-h' || verb === '--help' || verb === 'help') { out(USAGE); return 0; }
  if (!(VERBS as readonly string[]).includes(verb)) {
    err(`unknown verb "${verb}" (expected one of ${VERBS.join(', ')}); ${HINT}`);
    return 2;
  }
  const v = verb as Verb;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS[v], allowPositionals: true, strict: true });
  } catch (e) {
    err(`${(e as Error).message.split('\n')[0]}; ${HINT}`);
    return 2;
  }
  const values = parsed.values as { 'lab-name'?: string; help?: boolean; fault?: string[]; json?: boolean; timeout?: string; ipv6?: boolean };
  if (values.help) { out(USAGE); return 0; }
  const want = POSITIONALS[v];
  if (parsed.positionals.length !== want) {
    err(want ? `\`lab ${v}\` takes one fault (${FAULT_IDS.join(', ')}); ${HINT}` : `unexpected argument "${parsed.positionals[0]}"; ${HINT}`);
    return 2;
  }
  const prefix = values['lab-name'] ?? DEFAULT_PREFIX;
  if (!validLabName(prefix)) {
    err(`invalid --lab-name "${prefix}": 1-10 characters from a-z, 0-9 and -; ${HINT}`);
    return 2;
  }

  try {
    switch (v) {
      case 'up': return await up(prefix, values.fault ?? [], Boolean(values.ipv6), out, err);
      case 'down': return await down(prefix, out);
      case 'status': return await status(prefix, Boolean(values.json), out);
      case 'probe': return await probe(prefix, values.timeout, out);
      case 'break':
      case 'fix': return await toggle(prefix, v, parsed.positionals[0]!, out);
    }
  } catch (e) {
    if (e instanceof LabError) { err(e.message); return e.exitCode; }
    throw e;
  }
}

async function up(prefix: string, faults: string[], ipv6: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  for (const f of faults) if (!isFaultId(f)) throw unknownFault(f);
  const wanted = [...new Set(faults)] as FaultId[];
  requireRoot();
  requireTools();
  await requireBpffs(realExec);
  await requireBpf(realExec);
  await requireObjects(realExec);

  // Refuse before creating anything: a running lab, or leftovers of a crashed one, must be taken down first.
  const state = readState(prefix);
  if (state) {
    throw new LabError(`lab ${prefix} is already ${state.phase === 'up' ? 'up' : 'partly built (phase building)'}; ` +
      `run \`xdp-doctor lab down --lab-name ${prefix}\` first`);
  }
  const ours = new Set(allNamespaces(prefix));
  const leftovers = (await createIp(realExec).netnsNames({ strict: true })).filter((n) => ours.has(n));
  if (leftovers.length || existsSync(pinDir(prefix))) {
    throw new LabError(`leftovers of lab ${prefix} exist (${[...leftovers, ...(existsSync(pinDir(prefix)) ? [pinDir(prefix)] : [])].join(', ')}); ` +
      `run \`xdp-doctor lab down --lab-name ${prefix}\` first`);
  }

  const t0 = Date.now();
  out(`lab ${prefix}: building${ipv6 ? ' (dual stack, probed over IPv6)' : ''}${wanted.length ? ` with faults ${wanted.join(', ')}` : ''}`);
  // Ctrl-C or SIGTERM mid-build: stop at the next step and tear down, rather than leave half a lab behind.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  // `on`, not `once`: execa's signal-exit re-raises the signal when it finds itself the only listener left.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await labUp(withSignal(realExec, abort.signal), prefix, wanted, out, ipv6);
  } catch (e) {
    err(`lab up failed: ${(e as Error).message}`);
    out(`lab ${prefix}: cleaning up what was built`);
    await labDown(realExec, prefix, out).catch((d) => err(`cleanup failed too: ${(d as Error).message}`));
    return abort.signal.aborted ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  out(`lab ${prefix}: up in ${Date.now() - t0} ms`);
  out(formatStatus(await labStatus(realExec, prefix)));
  return 0;
}

async function down(prefix: string, out: (s: string) => void): Promise<number> {
  requireRoot();
  const r = await labDown(realExec, prefix, out);
  out(r.removedSomething ? `lab ${prefix}: down` : `lab ${prefix}: nothing to remove`);
  return 0;
}

async function status(prefix: string, json: boolean, out: (s: string) => void): Promise<number> {
  requireRoot();
  const s = await labStatus(realExec, prefix);
  out(json ? JSON.stringify(s, null, 2) : formatStatus(s));
  return 0;
}

function requireUp(prefix: string) {
  const state = readState(prefix);
  if (!state || state.phase !== 'up') {
    throw new LabError(state ? `lab ${prefix} is only partly built; run \`xdp-doctor lab down --lab-name ${prefix}\` and \`lab up\` again`
      : `lab ${prefix} is not up; run \`xdp-doctor lab up --lab-name ${prefix}\``);
  }
  return state;
}

async function toggle(prefix: string, which: 'break' | 'fix', fault: string, out: (s: string) => void): Promise<number> {
  if (!isFaultId(fault)) throw unknownFault(fault);
  requireRoot();
  const state = requireUp(prefix);
  const g1Mac = state.macs['gw/g1'];
  if (!g1Mac) throw new LabError(`state file of lab ${prefix} has no MAC for gw g1; run \`lab down\` and \`lab up\` again`);
  const ctx: LabContext = { prefix, g1Mac, objects: labObjects(), ipv6: state.ipv6 === true };
  if (which === 'break' || fault === 'bad-iphdr') await requireObjects(realExec);
  const active = state.faults.includes(fault);
  const steps = faultSteps(fault, which, ctx);
  const f = LAB_FAULTS[fault];
  out(`lab ${prefix}: ${which} ${fault}${(which === 'break') === active ? ` (already ${active ? 'active' : 'inactive'}; applying again)` : ''}`);
  out(`  ${which === 'break' ? f.title : f.fix(ctx).title}`);
  for (const s of steps) out(`  $ ${describeStep(s)}`);
  await runSteps(realExec, steps);
  state.faults = which === 'break' ? [...new Set([...state.faults, fault])] : state.faults.filter((x) => x !== fault);
  writeState(state);
  out(`lab ${prefix}: active faults: ${state.faults.length ? state.faults.join(', ') : 'none'}`);
  return 0;
}

async function probe(prefix: string, timeout: string | undefined, out: (s: string) => void): Promise<number> {
  let timeoutMs = DEFAULT_PROBE_TIMEOUT_MS;
  if (timeout !== undefined) {
    timeoutMs = Number(timeout);
    if (!/^\d+$/.test(timeout) || timeoutMs < 500 || timeoutMs > 60_000) {
      throw new LabError(`--timeout must be milliseconds between 500 and 60000, got "${timeout}"; ${HINT}`, 2);
    }
  }
  requireRoot();
  const state = requireUp(prefix);
  const r = await runLabProbe(realExec, prefix, timeoutMs, state.ipv6 === true);
  out(formatProbe(prefix, r, state.faults, state.ipv6 === true));
  return r.ok ? 0 : 1;
}

function formatProbe(prefix: string, r: LabProbeResult, faults: string[], ipv6: boolean): string {
  const lines: string[] = [];
  if (r.ok) {
    lines.push(`lab ${prefix}: probe ok: echo from ${ipv6 ? `[${VIP6}]` : VIP}:${VIP_PORT} came back in ${r.durationMs} ms`);
    return lines.join('\n');
  }
  const how = r.timedOut ? 'nc timed out' : r.stdout ? `unexpected reply ${JSON.stringify(r.stdout.slice(0, 80))}` : `no echo (nc exit ${r.exitCode})`;
  lines.push(`lab ${prefix}: probe FAILED: ${how} after ${r.durationMs} ms`);
  if (r.lastSeen && r.firstMissing) {
    lines.push(`  lost after: ${r.lastSeen.label} (${r.lastSeen.packets} packets); ${r.firstMissing.label}: none`);
  } else if (r.firstMissing) {
    lines.push(`  nothing left the client: ${r.firstMissing.label}: none`);
  } else {
    lines.push('  every hop counted packets, yet the echo did not come back');
  }
  lines.push('  packets per hop during the probe:');
  for (const p of r.path) lines.push(`    ${String(p.packets).padStart(4)}  ${p.label} (${p.node} ${p.iface} ${p.dir})`);
  if (r.signals.length) {
    lines.push('  counters that moved:');
    for (const s of r.signals) lines.push(`    ${s}`);
  }
  if (faults.length) lines.push(`  active faults: ${faults.join(', ')}`);
  const err = r.stderr.trim();
  if (err) lines.push(`  nc: ${err.split('\n').slice(-1)[0]}`);
  return lines.join('\n');
}
