// src/engine/errnos.ts, the decisions of concludeErrnos one by one: which findings count, their order, which
// finding of an errno gives the context, the kb row chosen for a cause and a tracepoint, and which kind of row
// (attach refusal, verifier rule, tracepoint signal) explains the number. The inputs are findings and diagnosis
// entries as the rungs write them; the expected meanings are the kb's rows (src/kb), looked up here.
import { describe, expect, it } from 'vitest';
import { concludeErrnos } from '../../src/engine/errnos.js';
import { SIGNALS } from '../../src/kb/signals.js';
import type { CheckRecord, DiagnosisEntry, Finding } from '../../src/engine/types.js';

const record = (id: string, findings: Finding[]): CheckRecord => ({
  id, title: id, rung: 1, durationMs: 1, source: 'built-in', commands: [], status: 'fail', summary: '', evidence: [], findings: findings.map((f) => ({ ...f, severity: f.severity ?? 'high' })),
});
const finding = (cause: string, extra: Partial<Finding> = {}): Finding => ({ cause, severity: 'high', message: cause, fixes: [], ...extra });
const entry = (cause: string, extra: Partial<DiagnosisEntry> = {}): DiagnosisEntry => ({ cause, title: cause, confidence: 0.9, evidence: [], fixes: [], ...extra });
const ENXIO = { value: 6, name: 'ENXIO' };
const row = (tracepoint: string, errno: number, extra: { driver?: string; cause?: string } = {}) =>
  SIGNALS.find((r) => r.tracepoint === tracepoint && r.errno === errno && r.driver === extra.driver && !r.mapType && (!extra.cause || r.cause === extra.cause))!;

describe('concludeErrnos: which findings, in which order', () => {
  it('a cause the diagnosis does not rank comes after the ranked ones, whatever the order of the records', () => {
    const records = [
      record('team', [finding('team-thing', { errno: { value: 4095, name: 'EWEIRD' } })]),
      record('tracepoints', [finding('veth-peer-no-xdp', { errno: ENXIO, signal: 'xdp:xdp_bulk_tx' })]),
    ];
    expect(concludeErrnos([entry('veth-peer-no-xdp')], records).map((e) => e.name)).toEqual(['ENXIO', 'EWEIRD']);
  });

  it('a negative errno is its number; errno 0 is no errno', () => {
    const neg = [record('team', [finding('team-thing', { errno: { value: -6, name: 'ENXIO' }, signal: 'xdp:xdp_redirect_err' })])];
    expect(concludeErrnos([entry('team-thing')], neg).map((e) => [e.value, e.name])).toEqual([[6, 'ENXIO']]);
    const zero = [record('team', [finding('team-thing', { errno: { value: 0, name: 'OK' } })])];
    expect(concludeErrnos([], zero)).toEqual([]);
  });

  it('one errno seen by several findings: the context (tracepoint, interface) of the one that names a tracepoint', () => {
    const records = [
      record('team', [finding('veth-peer-no-xdp', { errno: ENXIO, iface: 'eth9' })]),
      record('tracepoints', [finding('veth-peer-no-xdp', { errno: ENXIO, signal: 'xdp:xdp_bulk_tx', iface: 'l0' })]),
    ];
    const e = concludeErrnos([entry('veth-peer-no-xdp')], records);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ tracepoint: 'xdp_bulk_tx', iface: 'l0', driver: 'veth', observed: true });
  });

  it('an errno the diagnosis carries and a finding also saw is observed', () => {
    const records = [record('team', [finding('team-thing', { errno: ENXIO })])];
    const e = concludeErrnos([entry('veth-peer-no-xdp', { errno: ENXIO }), entry('team-thing')], records);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ value: 6, observed: true, causes: ['veth-peer-no-xdp', 'team-thing'] });
  });
});

describe('concludeErrnos: the kb row that explains the number', () => {
  it('the tracepoint a finding names (xdp: stripped) picks the row, for a cause the kb has no row of', () => {
    const records = [record('team', [finding('team-thing', { errno: ENXIO, signal: 'xdp:xdp_redirect_err' })])];
    const [e] = concludeErrnos([entry('team-thing')], records);
    const redirect = row('xdp_redirect_err', 6);
    expect(e).toMatchObject({ tracepoint: 'xdp_redirect_err', meaning: redirect.meaning, source: redirect.source });
    expect(e!.driver).toBeUndefined();
  });

  it('no tracepoint in the run: the cause\'s own kb row gives it (devmap-xmit-error → xdp_devmap_xmit, not veth\'s bulk_tx)', () => {
    const [e] = concludeErrnos([entry('devmap-xmit-error', { errno: ENXIO })], []);
    expect(e).toMatchObject({ tracepoint: 'xdp_devmap_xmit', meaning: row('xdp_devmap_xmit', 6).meaning, observed: false });
    expect(e!.driver).toBeUndefined();
  });

  it('the cause\'s row of another errno does not lend its driver: xdp-tx-error\'s ENXIO is the generic bulk_tx row, not veth\'s', async () => {
    const [e] = concludeErrnos([entry('xdp-tx-error', { errno: ENXIO })], []);
    expect(e).toMatchObject({ tracepoint: 'xdp_bulk_tx', meaning: row('xdp_bulk_tx', 6, { cause: 'xdp-tx-error' }).meaning });
    expect(e!.driver).toBeUndefined();
  });

  it('the cause\'s row on another tracepoint does not lend its driver: veth-peer-no-xdp seen on xdp_devmap_xmit', () => {
    const records = [record('tracepoints', [finding('veth-peer-no-xdp', { errno: ENXIO, signal: 'xdp:xdp_devmap_xmit' })])];
    const [e] = concludeErrnos([entry('veth-peer-no-xdp')], records);
    expect(e).toMatchObject({ tracepoint: 'xdp_devmap_xmit', meaning: row('xdp_devmap_xmit', 6).meaning });
    expect(e!.driver).toBeUndefined();
  });

  it('ENOSPC from xdp_redirect_err is the redirect row\'s, not veth\'s queue refusal (a refusal needs its own cause)', () => {
    const records = [record('tracepoints', [finding('xdp-redirect-error', { errno: { value: 28, name: 'ENOSPC' }, signal: 'xdp:xdp_redirect_err' })])];
    const [e] = concludeErrnos([entry('xdp-redirect-error')], records);
    expect(e).toMatchObject({ name: 'ENOSPC', tracepoint: 'xdp_redirect_err', meaning: row('xdp_redirect_err', 28, { cause: 'xdp-redirect-error' }).meaning });
  });

  it('a verifier rejection (E2BIG, no tracepoint row of that number): the verifier\'s rule and its source', () => {
    const [e] = concludeErrnos([entry('verifier-too-complex', { errno: { value: 7, name: 'E2BIG' } })], []);
    expect(e).toMatchObject({ value: 7, name: 'E2BIG', message: 'Argument list too long', observed: false, causes: ['verifier-too-complex'] });
    expect(e!.meaning).toBe('the verifier\'s rule: an unbounded loop, or a program whose paths add up to more than the verifier will walk (1 000 000 instructions)');
    expect(e!.source).toMatch(/^kernel\/bpf\/verifier\.c/);
    expect(e!.tracepoint).toBeUndefined();
  });

  it('a known errno with no XDP row for its tracepoint keeps the tracepoint and the libc meaning, nothing more', () => {
    const records = [record('team', [finding('team-thing', { errno: { value: 4, name: 'EINTR' }, signal: 'xdp:xdp_redirect_err', iface: 'l0' })])];
    expect(concludeErrnos([entry('team-thing')], records)).toEqual([
      { value: 4, name: 'EINTR', message: 'Interrupted system call', observed: true, tracepoint: 'xdp_redirect_err', causes: ['team-thing'], iface: 'l0' },
    ]);
  });

  it('an errno the kb does not know: its number as the name when the finding gave none, and the tracepoint', () => {
    const records = [record('team', [finding('team-thing', { errno: { value: 4095, name: '' }, signal: 'xdp:xdp_redirect_err' })])];
    expect(concludeErrnos([entry('team-thing')], records)).toEqual([
      { value: 4095, name: 'errno 4095', observed: true, tracepoint: 'xdp_redirect_err', causes: ['team-thing'] },
    ]);
  });
});
