// The lab's hops carry the names every view shows (the wizard's route picture groups and names stops by them):
// "gateway" for the namespace called gw. The names live in the target, so no view renames the lab's nodes.
import { describe, expect, it } from 'vitest';
import { labTargetFor } from '../../src/lab/target.js';

describe('labTargetFor', () => {
  it('names each hop\'s node for people, and keeps the namespaces as they are', () => {
    const t = labTargetFor('wz', false);
    expect(t.hops.map((h) => `${h.iface}:${h.node}`)).toEqual(['c0:client', 'g0:gateway', 'g1:gateway', 'l0:lb', 'g2:gateway', 'r0:real']);
    expect(t.hops.map((h) => (h.netns?.kind === 'name' ? h.netns.name : ''))).toEqual(['wz-client', 'wz-gw', 'wz-gw', 'wz-lb', 'wz-gw', 'wz-real']);
    // nstat is sampled per namespace, by the namespace's own name.
    expect(t.nstatNodes?.map((n) => n.node)).toEqual(['client', 'gw', 'lb', 'real']);
  });
});
