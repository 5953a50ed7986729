// src/kb/explain.ts: an errno in its XDP context, shared by `xdp-doctor explain` and the errno-explain rung.
import { describe, it, expect } from 'vitest';
import { explainErrno, explanationText } from '../../src/kb/explain.js';

describe('explainErrno', () => {
  it('with tracepoint and driver: the single best row', () => {
    const e = explainErrno({ errno: -6, tracepoint: 'xdp_bulk_tx', driver: 'veth' });
    expect(e.errno).toMatchObject({ value: 6, name: 'ENXIO' });
    expect(e.rows.map((r) => r.cause)).toEqual(['veth-peer-no-xdp']);
    expect(explainErrno({ errno: 'ENXIO', tracepoint: 'xdp_bulk_tx', driver: 'ice' }).rows.map((r) => r.cause)).toEqual(['xdp-tx-error']);
  });

  it('without a tracepoint: every row of the errno (that fits the driver, when given)', () => {
    // ENXIO: veth and libeth XDP_TX, a redirect by map type (any, xskmap, devmap), the devmap flush per driver.
    expect(explainErrno({ errno: 6 }).rows).toHaveLength(10);
    expect(explainErrno({ errno: 6, driver: 'ice' }).rows.map((r) => r.tracepoint)).toEqual([
      'xdp_bulk_tx', 'xdp_redirect_err', 'xdp_redirect_err', 'xdp_redirect_err', 'xdp_devmap_xmit',
    ]);
  });

  it('a redirect error with its map type: that map type\'s row, named in the text', () => {
    const e = explainErrno({ errno: -12, tracepoint: 'xdp_redirect_err', mapType: 'xskmap' });
    expect(e.rows.map((r) => r.mapType)).toEqual(['xskmap']);
    expect(explanationText(e)).toContain('In xdp:xdp_redirect_err (xskmap):');
    expect(explanationText(e)).toContain('fill ring is empty');
  });

  it('an errno without XDP rows is still named; an unknown one is not', () => {
    expect(explainErrno({ errno: 62 })).toEqual({ errno: { value: 62, name: 'ETIME', message: 'Timer expired' }, rows: [] });
    expect(explainErrno({ errno: 999 })).toEqual({ rows: [] });
  });
});

describe('explanationText', () => {
  it('the veth row, with meaning, source, confirmation and fix', () => {
    const q = { tracepoint: 'xdp_bulk_tx', driver: 'veth' };
    const t = explanationText(explainErrno({ errno: 6, ...q }), q);
    const lines = t.split('\n');
    expect(lines[0]).toBe('ENXIO (errno 6, reported as -6): No such device or address');
    expect(lines[2]).toBe('In xdp:xdp_bulk_tx on veth (reproduced on the lab):');
    expect(lines[3]).toMatch(/^  meaning: XDP_TX frames were refused: the veth peer's receive queue has no NAPI instance/);
    expect(lines[4]).toMatch(/^  source:  drivers\/net\/veth.c veth_xdp_flush_bq\(\)/);
    expect(lines[5]).toMatch(/^  confirm: ethtool -S <iface>/);
    expect(lines[6]).toMatch(/^  fix:     attach a dummy XDP_PASS program to the peer/);
    expect(t.endsWith('\n')).toBe(true);
  });

  it('no XDP knowledge: says so, naming the context', () => {
    const q = { tracepoint: 'xdp_bulk_tx', driver: 'veth' };
    expect(explanationText(explainErrno({ errno: 62, ...q }), q)).toBe(
      'ETIME (errno 62, reported as -62): Timer expired\n' +
      'No XDP-specific knowledge for this errno with tracepoint xdp_bulk_tx, driver veth; the libc meaning above is all that is known.\n');
    expect(explanationText(explainErrno({ errno: 62 }))).toContain('No XDP-specific knowledge for this errno; the libc');
  });

  it('unknown errno', () => {
    expect(explanationText({ rows: [] })).toBe('unknown errno');
  });
});
