// src/engine/story.ts: when the evidence is in. Sightings as the collectors report them on the lab (kernel 6.18),
// in arrival order with their offsets from the probe's start.
import { describe, expect, it } from 'vitest';
import { emptyTally, record, storyComplete, type Sighting } from '../../src/engine/story.js';

const LISTEN: Sighting[] = [{ kind: 'listening', what: 'sent' }, { kind: 'listening', what: 'verdicts' }];

/** Feeds [ms, sighting] pairs, then asks at `at`. */
function judge(seen: [number, Sighting][], at: number, settle = 300) {
  const t = emptyTally();
  for (const s of LISTEN) record(t, s, 0);
  for (const [ms, s] of seen) record(t, s, ms);
  return storyComplete(t, at, settle);
}

// veth-peer: the first SYN leaves c0, l0's program returns XDP_TX, veth refuses the frame with ENXIO.
const VETH: [number, Sighting][] = [
  [4, { kind: 'sent' }],
  [9, { kind: 'verdict', action: 'XDP_TX' }],
  [60, { kind: 'signal', source: 'xdp-error', what: 'xdp:xdp_bulk_tx err -6 on l0' }],
];
// bad-iphdr: XDP_TX of an encapsulated SYN, then gw g1 drops it as truncated.
const BADHDR: [number, Sighting][] = [
  [3, { kind: 'sent' }],
  [8, { kind: 'verdict', action: 'XDP_TX' }],
  [70, { kind: 'signal', source: 'drop', what: 'PKT_TOO_SMALL at g1 (gw)' }],
];

describe('storyComplete', () => {
  it('veth-peer: complete once the ENXIO is in and 300 ms passed without news', () => {
    expect(judge(VETH, 200).complete).toBe(false);
    expect(judge(VETH, 200).why).toMatch(/settling/);
    const done = judge(VETH, 361);
    expect(done.complete).toBe(true);
    expect(done.why).toBe('1 probe packet(s) sent, each accounted for (XDP_TX ×1, xdp:xdp_bulk_tx err -6 on l0)');
  });

  it('an XDP_TX with no signal yet is not a story: it waits (the full window if nothing comes)', () => {
    expect(judge(VETH.slice(0, 2), 5000)).toEqual({ complete: false, why: '1 XDP_TX verdict(s) without a signal that explains the loss' });
  });

  it('a drop after XDP_TX explains it too (bad-iphdr)', () => {
    expect(judge(BADHDR, 380).complete).toBe(true);
  });

  it('XDP_PASS needs the kernel\'s drop: an xdp:* error does not explain a passed packet', () => {
    const pass: [number, Sighting][] = [[3, { kind: 'sent' }], [8, { kind: 'verdict', action: 'XDP_PASS' }]];
    expect(judge([...pass, [50, { kind: 'signal', source: 'xdp-error', what: 'x' }]], 5000).complete).toBe(false);
    expect(judge([...pass, [50, { kind: 'signal', source: 'drop', what: 'OTHERHOST at l0' }]], 5000).complete).toBe(true);
  });

  it('XDP_DROP explains itself', () => {
    expect(judge([[3, { kind: 'sent' }], [8, { kind: 'verdict', action: 'XDP_DROP' }]], 308).complete).toBe(true);
    expect(judge([[3, { kind: 'sent' }], [8, { kind: 'verdict', action: 'XDP_DROP' }]], 307).complete).toBe(false);
  });

  it('a retransmission resets the settle and needs its own verdict', () => {
    const seen: [number, Sighting][] = [...VETH, [1010, { kind: 'sent' }]];
    expect(judge(seen, 2000).why).toBe('1 of 2 packet(s) sent have no verdict and no drop explains them');
    expect(judge([...seen, [1015, { kind: 'verdict', action: 'XDP_TX' }]], 1200).complete).toBe(false);
    expect(judge([...seen, [1015, { kind: 'verdict', action: 'XDP_TX' }]], 1315).complete).toBe(true);
  });

  it('packets that never reached the program are accounted for only by a drop', () => {
    expect(judge([[3, { kind: 'sent' }]], 5000).complete).toBe(false);
    expect(judge([[3, { kind: 'sent' }], [20, { kind: 'signal', source: 'drop', what: 'NEIGH_FAILED at g1' }]], 5000).complete).toBe(true);
  });

  it('a reply means the flow works (at least partly): never cut short, the probe ends on its own', () => {
    const healthy: [number, Sighting][] = [[3, { kind: 'sent' }], [8, { kind: 'verdict', action: 'XDP_TX' }], [12, { kind: 'reply' }]];
    expect(judge(healthy, 5000).why).toMatch(/replies are coming back/);
    // even with a routine-looking drop reported next to it
    expect(judge([...healthy, [14, { kind: 'signal', source: 'drop', what: 'x' }]], 5000).complete).toBe(false);
  });

  it('without a sender-side collector the story is never complete (the full window)', () => {
    const u = emptyTally();
    record(u, { kind: 'listening', what: 'verdicts' }, 0);
    for (const [ms, s] of VETH) record(u, s, ms);
    expect(storyComplete(u, 9000, 300).why).toMatch(/leave the sender/);
  });

  it('without live verdicts (xdpdump cannot attach: the replay comes later) the kernel\'s loss signal accounts for the packets', () => {
    const t = emptyTally();
    record(t, { kind: 'listening', what: 'sent' }, 0);
    record(t, { kind: 'sent' }, 4);
    expect(storyComplete(t, 9000, 300).why).toBe('1 packet(s) sent, no verdicts as they happen and no signal that explains the loss');
    record(t, { kind: 'signal', source: 'drop', what: 'IP_INADDRERRORS at l0 (lb)' }, 40);
    expect(storyComplete(t, 339, 300).complete).toBe(false);
    expect(storyComplete(t, 340, 300)).toEqual({ complete: true, why: '1 probe packet(s) sent, each accounted for (no live verdicts; IP_INADDRERRORS at l0 (lb))' });
    record(t, { kind: 'reply' }, 400);
    expect(storyComplete(t, 9000, 300).complete).toBe(false);
  });

  it('nothing sent yet: not complete', () => {
    expect(judge([], 9000).why).toBe('no probe packet seen yet');
  });

  it('the same signal twice is one signal and not news', () => {
    const t = emptyTally();
    for (const s of LISTEN) record(t, s, 0);
    for (const [ms, s] of VETH) record(t, s, ms);
    record(t, VETH[2]![1], 300);
    expect(t.signals).toHaveLength(1);
    expect(t.lastAt).toBe(60);
  });
});
