// checks/inventory.ts on a program loaded by `xdp-loader load` behind libxdp's dispatcher, over the output
// recorded on Debian's 6.1 in the test:kernels VM (test/recordings/kernels/6.1): the link shows xdp_dispatcher,
// xdp-loader status names its component, and the rungs after inventory get the component's id, name and maps.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../../src/plugins/testing.js';
import inventory from '../../checks/inventory.js';
import { INVENTORY, type InventoryFacts } from '../../src/plugins/facts.js';
import { recording } from './helpers/recordings.js';
import { parseXdpLoaderStatus } from '../../src/tools/xdp-loader.js';

const k61 = (p: string) => recording(`kernels/6.1/${p}`);
const NS = 'kd-s';
const componentMap = readdirSync(fileURLToPath(new URL('../recordings/kernels/6.1/bpftool', import.meta.url))).find((f) => f.startsWith('map-show-component-'))!;
const mapId = componentMap.replace(/\D+/g, '');
// The ids of this recording: the dispatcher on the link, its component in xdp-loader's table.
const [ks0] = parseXdpLoaderStatus(k61('xdp-loader/status-count-pass.txt'));
const D = ks0!.program!.id;
const C = ks0!.components[0]!.id;

const base = [
  { argv: ['ip', '-j', '-d', 'link', 'show', 'dev', 'ks0'], netns: NS, stdout: k61('ip/link-show-xdp-loader.json') },
  // The peer's namespace is not looked up here (no recording of ip netns list-id): the veth peer stays unknown.
  { argv: ['ip', '-j', 'netns', 'list-id'], exitCode: 1, stderr: '' },
  { argv: ['bpftool', '-j', 'prog', 'show', 'id', String(D)], stdout: k61('bpftool/prog-show-dispatcher.json') },
  { argv: ['bpftool', '-j', 'prog', 'show', 'id', String(C)], stdout: k61('bpftool/prog-show-component.json') },
  { argv: ['bpftool', '-j', 'map', 'show', 'id', mapId], stdout: k61(`bpftool/${componentMap}`) },
  // libxdp attaches the dispatcher through netlink here: no XDP link holds it (the freplace link is the component's).
  { argv: ['bpftool', '-j', 'link', 'show'], stdout: k61('bpftool/link-show.json') },
  // No xlated dump was recorded in that VM: the component's instructions answer as a vanished program does (recorded
  // on 6.18), and inventory goes on without the calls, saying so.
  { argv: ['bpftool', '-j', 'prog', 'dump', 'xlated', 'id', String(C)], exitCode: 255, stdout: recording('xlated/missing-prog.json') },
];

describe('inventory behind the dispatcher (6.1 recordings)', () => {
  it('diagnoses the component xdp-loader names, and keeps the dispatcher in the evidence', async () => {
    const run = await runCheck(inventory, {
      target: { iface: 'ks0', netns: { kind: 'name', name: NS } },
      exec: [...base, { argv: ['xdp-loader', 'status', 'ks0'], netns: NS, stdout: k61('xdp-loader/status-count-pass.txt') }],
    });
    const facts = run.facts[INVENTORY] as InventoryFacts;
    expect(facts.progId).toBe(C);
    expect(facts.progName).toBe('count_pass');
    expect(facts.maps.map((m) => m.id)).toEqual([Number(mapId)]);
    expect(facts.dispatcher).toEqual({ progId: D, components: [{ id: C, name: 'count_pass', prio: 50 }] });
    expect(run.result.summary).toMatch(new RegExp(`^count_pass \\(id ${C}\\) behind xdp_dispatcher \\(id ${D}\\) native on ks0, 1 map\\(s\\)`));
    expect(facts.calls).toBeUndefined();
    expect(run.result.evidence.find((e) => e.label === 'calls')?.data).toMatch(/^its helper calls could not be read \(bpftool: prog dump xlated id \d+: get by id \(999999\): No such file or directory\)$/);
    expect(run.result.evidence.find((e) => e.label === 'dispatcher')?.data).toBe(`libxdp xdp_dispatcher (id ${D}) runs count_pass (id ${C}, prio 50, chain on XDP_PASS)`);
  });

});
