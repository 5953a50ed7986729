// src/kb/signals.ts: the best kb row for a tracepoint + errno in a driver's context.
import { describe, it, expect } from 'vitest';
import { findSignal, redirectKind, signalsForErrno, SIGNALS } from '../../src/kb/signals.js';
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
    expect(signalsForErrno(-6).map((r) => [r.tracepoint, r.driver ?? r.mapType])).toEqual([
      ['xdp_bulk_tx', 'veth'], ['xdp_bulk_tx', undefined],
      ['xdp_redirect_err', undefined], ['xdp_redirect_err', 'xskmap'], ['xdp_redirect_err', 'devmap'],
      ['xdp_devmap_xmit', undefined], ['xdp_devmap_xmit', 'veth'], ['xdp_devmap_xmit', 'virtio_net'],
      ['xdp_devmap_xmit', 'i40e'], ['xdp_devmap_xmit', 'mlx5_core'],
    ]);
  });
});

describe('redirect errnos by map type', () => {
  const maps = [{ id: 7, type: 'xskmap' }, { id: 8, type: 'devmap_hash' }, { id: 9, type: 'cpumap' }, { id: 10, type: 'array' }];

  it('redirectKind: bpf_redirect, the program\'s map types, unknown otherwise', () => {
    expect(redirectKind(2147483647)).toBe('ifindex');
    expect([7, 8, 9, 10, 11].map((id) => redirectKind(id, maps))).toEqual(['xskmap', 'devmap', 'cpumap', undefined, undefined]);
  });

  it('ENXIO: an unbound AF_XDP socket on an xskmap; on a devmap it points at xdp_devmap_xmit', () => {
    expect(findSignal({ tracepoint: 'xdp_redirect_err', errno: -6, mapType: 'xskmap' })!.meaning).toMatch(/not bound/);
    expect(findSignal({ tracepoint: 'xdp_redirect_err', errno: -6, mapType: 'devmap' })!.meaning).toMatch(/xdp_devmap_xmit/);
    // Unknown map: the row that says which map type gives what.
    const any = findSignal({ tracepoint: 'xdp_redirect_err', errno: -6 })!;
    expect(any.mapType).toBeUndefined();
    expect(any.meaning).toMatch(/XSKMAP.*devmap/s);
  });

  it('ENOMEM, ENOSPC, ENOBUFS: the fill ring, the chunk (or a cpumap ring), the RX ring', () => {
    expect(findSignal({ tracepoint: 'xdp_redirect_err', errno: 12, mapType: 'xskmap' })!.meaning).toMatch(/fill ring is empty/);
    expect(findSignal({ tracepoint: 'xdp_redirect_err', errno: 12, mapType: 'devmap' })!.meaning).toMatch(/BPF_F_BROADCAST/);
    expect(findSignal({ tracepoint: 'xdp_redirect_err', errno: 28, mapType: 'xskmap' })!.meaning).toMatch(/larger than the AF_XDP chunk/);
    expect(findSignal({ tracepoint: 'xdp_redirect_err', errno: 28, mapType: 'cpumap' })).toMatchObject({ cause: 'cpumap-drops' });
    expect(findSignal({ tracepoint: 'xdp_redirect_err', errno: 105, mapType: 'xskmap' })!.meaning).toMatch(/RX ring is full/);
    // A map type without its own row falls back to the errno's row, never to another map type's.
    expect(findSignal({ tracepoint: 'xdp_redirect_err', errno: 105, mapType: 'devmap' })!.mapType).toBeUndefined();
  });

  it('xdp_devmap_xmit ENXIO: not only veth peers — drivers without their own program, and fewer queues than CPUs', () => {
    const any = findSignal({ tracepoint: 'xdp_devmap_xmit', errno: 6 })!;
    expect(any.meaning).toMatch(/veth/);
    expect(any.meaning).toMatch(/fewer queues than the CPU/);
    expect(any.fix).toMatch(/ethtool -L/);
    expect(findSignal({ tracepoint: 'xdp_devmap_xmit', errno: 6, driver: 'i40e' })!.source).toContain('queue_index >= vsi->num_queue_pairs');
    expect(findSignal({ tracepoint: 'xdp_devmap_xmit', errno: 6, driver: 'virtio_net' })!.fix).toMatch(/XDP program .* to the target itself/);
    expect(findSignal({ tracepoint: 'xdp_devmap_xmit', errno: 6, driver: 'veth' })!.fix).toMatch(/peer/);
  });
});
