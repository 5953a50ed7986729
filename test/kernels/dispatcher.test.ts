// A program loaded the way most users load one: `xdp-loader load`, which puts it behind libxdp's multiprog
// dispatcher where the kernel allows freplace (fentry's trampolines), and attaches it directly where it does not.
// Healthy (zoo_count_pass, XDP_PASS) and failing (zoo_allowlist with an empty allow-list, XDP_DROP), diagnosed on
// the component program. The real output of xdp-loader status, bpftool and xdpdump on this kernel is recorded for
// the host's unit tests (test/recordings/kernels/<kernel>/).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT } from '../e2e/helpers/cli.js';
import { KERNEL, byId, doctorJson, kernelCan, keepReport, record, recordFile, sh, xdpdumpDuring } from './helpers.js';

const C = 'kd-c';
const S = 'kd-s';
const IFACE = 'ks0';
const SERVER_IP = '10.111.70.2';
const inS = (...argv: string[]) => ['nsenter', `--net=/run/netns/${S}`, '--', ...argv];
const zoo = (p: string) => join(ROOT, 'bpf', 'build', 'zoo', `${p}.o`);

async function must(argv: string[]) {
  const r = await sh(argv);
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: exit ${r.exitCode}: ${r.stderr.trim()}`);
  return r;
}

async function down() {
  await sh(inS('xdp-loader', 'unload', IFACE, '--all'));
  for (const ns of [C, S]) await sh(['ip', 'netns', 'del', ns]);
}

async function up() {
  await down();
  await must(['ip', 'netns', 'add', C]);
  await must(['ip', 'netns', 'add', S]);
  await must(['ip', 'link', 'add', 'kc0', 'netns', C, 'type', 'veth', 'peer', 'name', IFACE, 'netns', S]);
  await must(['ip', '-n', C, 'addr', 'add', '10.111.70.1/24', 'dev', 'kc0']);
  await must(['ip', '-n', S, 'addr', 'add', `${SERVER_IP}/24`, 'dev', IFACE]);
  for (const [ns, dev] of [[C, 'kc0'], [S, IFACE]] as const) {
    await must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    await must(['ip', '-n', ns, 'link', 'set', dev, 'up']);
  }
}

/** What libxdp attached: the program on the link, and the component behind a dispatcher. */
async function attached() {
  const link = JSON.parse((await must(['ip', '-j', '-d', '-n', S, 'link', 'show', 'dev', IFACE])).stdout)[0];
  const onLink = link.xdp?.prog ?? link.xdp?.attached?.[0]?.prog;
  return { link, progId: onLink?.id as number, progName: onLink?.name as string | undefined };
}

/** The component program ids behind the dispatcher, from `xdp-loader status` (the table's indented rows). */
function componentIds(status: string): number[] {
  return [...status.matchAll(/^\s+=>\s+\d+\s+\S+\s+(\d+)\s/gm)].map((m) => Number(m[1]));
}

const ping = () => sh(['nsenter', `--net=/run/netns/${C}`, '--', 'ping', '-c', '2', '-i', '0.2', '-W', '1', SERVER_IP]);
const doctor = (tag: string, extra: string[] = []) => doctorJson([
  '--iface', IFACE, '--netns', S, '--probe', `ping -c 3 -i 0.2 -W 1 ${SERVER_IP}`, '--probe-netns', C, '--skip', 'trace-pipe', ...extra,
]).then((r) => { keepReport(`dispatcher-${tag}`, r.report); return r; });

beforeAll(up);
afterAll(down);

describe(`xdp-loader on ${KERNEL}`, () => {
  let dispatcher = false;
  let component: number | undefined;

  test('healthy: zoo_count_pass loaded by xdp-loader; status, bpftool and xdpdump recorded', async () => {
    const load = await sh(inS('xdp-loader', 'load', '-m', 'native', IFACE, zoo('zoo_count_pass')));
    record('xdp-loader/load-count-pass-stderr.txt', load.stderr);
    expect(load.exitCode, load.stderr).toBe(0);
    const status = await must(inS('xdp-loader', 'status', IFACE));
    record('xdp-loader/status-count-pass.txt', status.stdout);
    const a = await attached();
    record('ip/link-show-xdp-loader.json', JSON.stringify([a.link], null, 2));
    dispatcher = a.progName === 'xdp_dispatcher';
    // Where this kernel should load the dispatcher, a program attached directly fails here: the branches below then
    // follow what was measured and expected, not whichever libxdp happened to do.
    expect(dispatcher, `on the link: ${a.progName} (id ${a.progId}); xdp-loader status:\n${status.stdout}`).toBe(kernelCan().dispatcher);
    const ids = componentIds(status.stdout);
    // The program the ladder should diagnose: the component behind the dispatcher, or the one attached directly.
    component = dispatcher ? ids[0] : a.progId;
    if (dispatcher) {
      expect(ids).toHaveLength(1);
      record('bpftool/prog-show-dispatcher.json', (await must(['bpftool', '-j', 'prog', 'show', 'id', String(a.progId)])).stdout);
      const comp = (await must(['bpftool', '-j', 'prog', 'show', 'id', String(component)])).stdout;
      record('bpftool/prog-show-component.json', comp);
      for (const m of JSON.parse(comp).map_ids ?? []) record(`bpftool/map-show-component-${m}.json`, (await must(['bpftool', '-j', 'map', 'show', 'id', String(m)])).stdout);
      record('bpftool/link-show.json', (await sh(['bpftool', '-j', 'link', 'show'])).stdout);
    } else {
      record('bpftool/prog-show-direct.json', (await must(['bpftool', '-j', 'prog', 'show', 'id', String(a.progId)])).stdout);
    }
    record('bpftool/net-show-xdp-loader.json', (await must(inS('bpftool', '-j', 'net', 'show'))).stdout);
    record('bpftool/prog-show-all.json', (await must(['bpftool', '-j', 'prog', 'show'])).stdout);
    record('bpftool/version.txt', (await must(['bpftool', 'version'])).stdout);

    // xdpdump on the dispatcher's interface, as a user runs it, and with entry/exit of the component.
    const x1 = await xdpdumpDuring(S, ['-i', IFACE, '--rx-capture', 'entry,exit', '-x'], ping);
    record('xdpdump/xdp-loader-entry-exit-stdout.txt', x1.stdout);
    record('xdpdump/xdp-loader-entry-exit-stderr.txt', x1.stderr);
    // xdpdump's own pcapng, its verdicts read back by tshark (frame comments / EPB options).
    const file = '/tmp/xdp-loader-entry-exit.pcapng';
    const x2 = await xdpdumpDuring(S, ['-i', IFACE, '--rx-capture', 'entry,exit', '-w', file], ping);
    record('xdpdump/xdp-loader-entry-exit-w-stderr.txt', x2.stderr);
    // Both captures attach where fentry loads (behind the dispatcher xdpdump picks the component).
    expect(x1.listening, x1.stderr).toBe(kernelCan().fentry);
    expect(x2.listening, x2.stderr).toBe(kernelCan().fentry);
    if (x2.listening) {
      recordFile('xdpdump/xdp-loader-entry-exit.pcapng', file);
      record('tshark/xdp-loader-entry-exit-pcapng.txt', (await sh(['tshark', '-r', file, '-V', '-c', '4'])).stdout);
    }
    console.log(`[${KERNEL}] dispatcher=${dispatcher} component=${component} xdpdump listening=${x1.listening}\n${x1.stderr}\n${x1.stdout.slice(0, 1500)}`);

    const { exitCode, report } = await doctor('healthy');
    const c = byId(report);
    console.log(`[${KERNEL}] healthy: exit ${exitCode}\n${report.checks.map((x: any) => `${x.id} ${x.status}: ${x.summary}`).join('\n')}`);
    expect(exitCode, JSON.stringify(report.diagnosis)).toBe(0);
    expect(c.inventory.status).not.toBe('error');
    // Either way the program diagnosed is the one xdp-loader loaded (the dispatcher's when there is one).
    const behind = dispatcher ? ` behind xdp_dispatcher \\(id ${a.progId}\\)` : '';
    expect(c.inventory.summary).toMatch(new RegExp(`^count_pass \\(id ${component}\\)${behind} native on ks0`));
    expect(c.xdpdump.summary).toMatch(kernelCan().fentry ? /XDP_PASS ×\d+.*\(xdpdump entry\/exit\)/ : /XDP_PASS ×\d+.*replayed through BPF_PROG_TEST_RUN/);
  });

  test('failing: zoo_allowlist (empty allow-list) drops the probe; diagnosed on the component', async () => {
    await sh(inS('xdp-loader', 'unload', IFACE, '--all'));
    const load = await sh(inS('xdp-loader', 'load', '-m', 'native', IFACE, zoo('zoo_allowlist')));
    expect(load.exitCode, load.stderr).toBe(0);
    const status = await must(inS('xdp-loader', 'status', IFACE));
    record('xdp-loader/status-allowlist.txt', status.stdout);
    const ids = componentIds(status.stdout);
    component = dispatcher ? ids[0] : (await attached()).progId;
    const { exitCode, report } = await doctor('failing');
    console.log(`[${KERNEL}] failing: exit ${exitCode}\n${report.checks.map((x: any) => `${x.id} ${x.status}: ${x.summary}`).join('\n')}\n${JSON.stringify(report.diagnosis.map((d: any) => d.cause))}`);
    expect(exitCode).toBe(1);
    expect(report.diagnosis.map((d: any) => d.cause)).toContain('xdp-drop-verdict');
    const c = byId(report);
    expect(c.inventory.summary).toMatch(new RegExp(`^allowlist \\(id ${component}\\)${dispatcher ? ' behind xdp_dispatcher' : ' native on ks0'}`));
    const drop = report.diagnosis.find((d: any) => d.cause === 'xdp-drop-verdict');
    expect(JSON.stringify(drop)).toContain(String(component));
    expect(c['map-dump'].summary).toMatch(/allowed_sources/);
  });

  // Runs on every kernel: --prog names the component behind the dispatcher, or the program attached directly.
  test('failing, with --prog naming the component', async () => {
    expect(component, 'the failing test found the program').toBeDefined();
    const { exitCode, report } = await doctor('failing-prog', ['--prog', String(component)]);
    console.log(`[${KERNEL}] --prog ${component}: exit ${exitCode}\n${report.checks.map((x: any) => `${x.id} ${x.status}: ${x.summary}`).join('\n')}`);
    expect(exitCode).toBe(1);
    expect(report.diagnosis.map((d: any) => d.cause)).toContain('xdp-drop-verdict');
  });

  test('after xdp-loader unload: status shows no program (recorded)', async () => {
    expect((await sh(inS('xdp-loader', 'unload', IFACE, '--all'))).exitCode).toBe(0);
    record('xdp-loader/status-none.txt', (await sh(inS('xdp-loader', 'status', IFACE))).stdout);
    const a = await attached();
    expect(a.progId).toBeUndefined();
  });
});
