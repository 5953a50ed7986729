// checks/tracepoints.ts: a failed redirect is followed to the device it was meant for, in the namespace of the side
// that redirected — the peer's when the peer's program did it — and the finding then names that device; the map
// slot is named by the map the event names. Without the inventory fact the rung still judges, on the target alone.
import { describe, expect, it } from 'vitest';
import tracepoints from '../../checks/tracepoints.js';
import { evidence, rec, scenario, withMaps } from './helpers/tracepoints-scenario.js';

const EOPNOTSUPP = rec('bpftrace/xdp-devmap-redirect-eopnotsupp.stdout.txt');
// The recorded refused redirect (to ifindex 4, map 1960 slot 0) sent to ifindex 1 instead, lo in the recorded h3-lb
// links: derived, a redirect target that exists, is up and is no veth, so nothing is wrong with it.
const TO_LO = EOPNOTSUPP.replace('"2,95,4,4,2620,1960,0"', '"2,95,4,1,2620,1960,0"');

describe('tracepoints: where a failed redirect went', () => {
  it('a redirect from l0 to lo: the finding names lo, with no problem of lo\'s appended', async () => {
    const r = await tracepoints.run(scenario({ stdout: TO_LO, progId: 2620 }));
    const f = r.findings[0]!;
    expect(f.iface).toBe('lo');
    expect(f.message).toMatch(/^xdp:xdp_redirect_err err -95 \(EOPNOTSUPP\) XDP_REDIRECT fired 3× on l0 \(veth\): .*; redirected to lo \(map id 1960 slot 0\)$/s);
    expect(f.fixes).toEqual([]);
  });

  it('to an ifindex l0\'s namespace lacks: the finding stays on l0', async () => {
    const r = await tracepoints.run(scenario({ stdout: EOPNOTSUPP, progId: 2620 }));
    expect(r.findings[0]!.iface).toBe('l0');
  });

  it('the slot is named by the map whose id the event names, not by another map of the program', async () => {
    const maps = [{ id: 7, name: 'stats', type: 'percpu_array' }, { id: 1960, name: 'tx_port', type: 'devmap' }] as never;
    const r = await tracepoints.run(scenario({ stdout: EOPNOTSUPP, progId: 2620, maps }));
    expect(r.findings[0]!.message).toContain('; redirected to ifindex 4 (tx_port slot 0): ifindex 4 is not an interface in this namespace');
  });

  it('the peer\'s program redirected to g2 and the flush failed: g2 is looked up in the peer\'s namespace, h3-gw', async () => {
    // Derived maps: ENXIO at devmap flush towards ifindex 4 (g2), from ifindex 3 (g1, running xdp_pass id 676 in the
    // recorded gw links). l0's namespace has no ifindex 4, so only gw's g2 can be meant.
    const stdout = withMaps('{"type": "map", "data": {"@xdp_devmap_xmit": {"4,6,4,3": 1}}}',
      '{"type": "map", "data": {"@xdp_devmap_xmit__drops": {"4,6,4,3": 2}}}', '{"type": "map", "data": {"@xdp_devmap_xmit__sent": {"4,6,4,3": 0}}}');
    const r = await tracepoints.run(scenario({ stdout, gwLinks: 'lab-gw-links-peer-xdp-pass.json', peer: { xdp: { progId: 676, mode: 'native' } } }));
    expect(r.summary).toBe('xdp_devmap_xmit err -6 (ENXIO) ×1 on g2 (veth)');
    expect(evidence(r).events).toBe('xdp_devmap_xmit err -6 ENXIO XDP_REDIRECT ×1 drops 2 sent 0 from_ifindex 3 → g2 (h3-gw, veth)');
    const f = r.findings[0]!;
    expect(f.iface).toBe('g2');
    expect(f.message).toContain('; redirected to g2: g2 (ifindex 4, veth) is a veth whose peer lives in another namespace (nsid 2); that peer needs an XDP program to take XDP frames');
  });

  it('an unbound AF_XDP socket (ENXIO through an xskmap, which names no device: to_ifindex 0): read as the xskmap\'s, not followed', async () => {
    // Derived: the recorded redirect's line with ENXIO, to_ifindex 0 and map 77, an xskmap of the target's program.
    const stdout = EOPNOTSUPP.replace('"2,95,4,4,2620,1960,0"', '"2,6,4,0,2620,77,3"');
    const ctx = scenario({ stdout, progId: 2620, maps: [{ id: 77, name: 'xsks_map', type: 'xskmap' } as never] });
    const r = await tracepoints.run(ctx);
    expect(r.findings[0]!.message).toBe('xdp:xdp_redirect_err err -6 (ENXIO) XDP_REDIRECT fired 3× on l0 (veth): ' +
      'Redirected into an XSKMAP slot whose AF_XDP socket is not bound (yet, or any more).');
  });

  it('no inventory fact: the target\'s own name and namespace, the map type unknown, no program id on the finding', async () => {
    const r = await tracepoints.run(scenario({ stdout: EOPNOTSUPP, noInventory: true }));
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('xdp_redirect_err err -95 (EOPNOTSUPP) ×3 on l0 (veth)');
    const f = r.findings[0]!;
    expect(f.progId).toBeUndefined();
    expect(f.message).toContain('; redirected to ifindex 4 (map id 1960 slot 0): ifindex 4 is not an interface in this namespace');
    expect(evidence(r)['ifindex resolution']).toMatch(/^ifindexes are resolved in the target's namespace \(h3-lb\) first\. /);
  });
});
