// src/kb/signals.ts: the best kb row for a tracepoint + errno in a driver's context.
import { describe, it, expect } from 'vitest';
import { findSignal, signalsForErrno, SIGNALS } from '../../src/kb/signals.js';
import { causeInfo } from '../../src/kb/causes.js';

describe('findSignal', () => {
  it('xdp_bulk_tx err 6 on veth: the veth row (peer without XDP), verified on the lab', () => {
    const r = findSignal({ tracepoint: 'xdp_bulk_tx', errno: 6, driver: 'veth' });
    expect(r).toMatchObject({ driver: 'veth', cause: 'veth-peer-no-xdp', verified: true });
    expect(r!.source).toContain('drivers/net/veth.c');
  });

  it('the tracepoint reports -6: the same row', () => {
    expect(findSignal({ tracepoint: 'xdp_bulk_tx', errno: -6, driver: 'veth' })?.cause).toBe('veth-peer-no-xdp');
  });

  it('xdp_bulk_tx err 6 on another driver (ice) or none known: the libeth row', () => {
    for (const driver of ['ice', 'idpf', undefined]) {
      const r = findSignal({ tracepoint: 'xdp_bulk_tx', errno: 6, driver });
      expect(r?.cause, String(driver)).toBe('xdp-tx-error');
      expect(r!.source).toContain('libeth');
    }
  });

  it('xdp_bulk_tx err 0 on veth: MTU or full ring, not ENXIO', () => {
    expect(findSignal({ tracepoint: 'xdp_bulk_tx', errno: 0, driver: 'veth' })).toMatchObject({ errno: 0, cause: 'xdp-tx-error' });
  });

  it('xdp_exception: act 0 is XDP_ABORTED, act 3 a failed XDP_TX, any other act the generic row', () => {
    expect(findSignal({ tracepoint: 'xdp_exception', act: 0 })).toMatchObject({ act: 0, cause: 'xdp-aborted' });
    expect(findSignal({ tracepoint: 'xdp_exception', act: 3 })).toMatchObject({ act: 3, cause: 'xdp-tx-error' });
    const other = findSignal({ tracepoint: 'xdp_exception', act: 7 })!;
    expect(other.act).toBeUndefined();
    expect(other.source).toContain('bpf_warn_invalid_xdp_action');
  });

  it('xdp_redirect_err by errno', () => {
    expect(findSignal({ tracepoint: 'xdp_redirect_err', errno: -95 })!.source).toContain('devmap.c');
    expect(findSignal({ tracepoint: 'xdp_redirect_err', errno: -100 })!.meaning).toBe('The redirect target is down.');
  });

  it('nothing for an unknown tracepoint or an errno without a row', () => {
    expect(findSignal({ tracepoint: 'xdp_nope', errno: 6 })).toBeUndefined();
    expect(findSignal({ tracepoint: 'xdp_bulk_tx', errno: 62, driver: 'veth' })).toBeUndefined();
  });
});

describe('the rows', () => {
  it('every row names a known cause and a kernel source', () => {
    for (const r of SIGNALS) {
      expect(causeInfo(r.cause), r.cause).toBeDefined();
      expect(r.source.length).toBeGreaterThan(5);
    }
  });

  it('signalsForErrno lists every row of an errno', () => {
    expect(signalsForErrno(-6).map((r) => [r.tracepoint, r.driver])).toEqual([
      ['xdp_bulk_tx', 'veth'], ['xdp_bulk_tx', undefined], ['xdp_redirect_err', undefined], ['xdp_devmap_xmit', undefined],
    ]);
  });
});
