// checks/xdpdump-verdicts.ts, the parts both xdpdump paths share around the verdicts: where the pcaps go and what
// the report says of them, the probe's line of evidence, and how long a collector is waited for.
import { describe, expect, it } from 'vitest';
import { artifactDirOf, attach, pcapsAt, probeEvidence, writeArtifacts } from '../../checks/xdpdump-verdicts.js';
import type { CheckContext, ProbeOutcome, Target } from '../../src/engine/types.js';
import { fakeExec, fakeFiles } from '../../src/plugins/testing.js';
import { createTools } from '../../src/tools/index.js';
import type { Collector } from '../../src/tools/exec.js';
import { readPcap } from '../../src/tools/pcap.js';

const TARGET: Target = { kind: 'iface', iface: 'l0', hops: [], windowMs: 1000, expect: [] };
function ctxWith(target: Partial<Target> = {}, dryRun = false) {
  const files = fakeFiles();
  const ctx = { target: { ...TARGET, ...target }, tools: createTools(fakeExec([]), { files, dryRun }) } as CheckContext;
  return { ctx, files };
}

describe('where the pcaps go', () => {
  it('the --artifacts directory when given, else a directory of this process under the temp directory', () => {
    expect(artifactDirOf(ctxWith({ artifactDir: '/srv/run1' }).ctx)).toBe('/srv/run1');
    expect(artifactDirOf(ctxWith().ctx)).toBe(`/tmp/xdp-doctor-${process.pid}`);
  });

  it('the report says where they are, or that they are discarded when nothing keeps them', () => {
    expect(pcapsAt(ctxWith({ keepArtifacts: false }).ctx, '/tmp/d')).toBe('pcaps discarded after the run (--artifacts DIR keeps them)');
    expect(pcapsAt(ctxWith({ keepArtifacts: true }).ctx, '/tmp/d')).toBe('pcaps in /tmp/d');
    expect(pcapsAt(ctxWith().ctx, '/tmp/d')).toBe('pcaps in /tmp/d');
  });

  it('entry.pcap and exit.pcap are written for the frames there are, each a pcap of them; a dry run writes none', async () => {
    const frame = { data: Buffer.from('0123456789abcdef0123456789abcdef', 'hex') };
    const both = ctxWith();
    expect(await writeArtifacts(both.ctx, '/d', [frame, frame], [frame])).toEqual({ entryPcap: '/d/entry.pcap', exitPcap: '/d/exit.pcap' });
    expect(both.files.writes.map(([p, data]) => [p, readPcap(Buffer.from(data, 'latin1')).packets.length])).toEqual([['/d/entry.pcap', 2], ['/d/exit.pcap', 1]]);
    const entryOnly = ctxWith();
    expect(await writeArtifacts(entryOnly.ctx, '/d', [frame], [])).toEqual({ entryPcap: '/d/entry.pcap' });
    expect(entryOnly.files.writes.map(([p]) => p)).toEqual(['/d/entry.pcap']);
    const exitOnly = ctxWith();
    expect(await writeArtifacts(exitOnly.ctx, '/d', [], [frame])).toEqual({ exitPcap: '/d/exit.pcap' });
    expect(exitOnly.files.writes.map(([p]) => p)).toEqual(['/d/exit.pcap']);
    const dry = ctxWith({}, true);
    expect(await writeArtifacts(dry.ctx, '/d', [frame], [frame])).toEqual({});
    expect(dry.files.writes).toEqual([]);
  });
});

describe('probeEvidence', () => {
  const o = (x: Partial<ProbeOutcome>): ProbeOutcome => ({ ran: true, ok: true, startedAt: 0, endedAt: 1, ...x });
  it('passed, FAILED with its note, or why it did not run', () => {
    expect(probeEvidence(o({}))).toEqual({ label: 'probe', data: 'passed' });
    expect(probeEvidence(o({ ok: false }))).toEqual({ label: 'probe', data: 'FAILED' });
    expect(probeEvidence(o({ ok: false, note: 'exit 1' }))).toEqual({ label: 'probe', data: 'FAILED (exit 1)' });
    expect(probeEvidence(o({ ran: false, note: 'no probe command' }))).toEqual({ label: 'probe', data: 'no probe command' });
    expect(probeEvidence(o({ ran: false }))).toEqual({ label: 'probe', data: 'no probe' });
  });
});

describe('attach', () => {
  // Collectors of our own making: only `ready` is read.
  const collector = (ready: Promise<void>) => ({ ready }) as Collector;
  it('true once attached, "timeout" when it takes longer than allowed, the error\'s message when it failed', async () => {
    expect(await attach(collector(Promise.resolve()), 1000)).toBe(true);
    expect(await attach(collector(new Promise(() => undefined)), 5)).toBe('timeout');
    expect(await attach(collector(Promise.reject(new Error('xdpdump exited (code 1) before it was attached'))), 1000)).toBe('xdpdump exited (code 1) before it was attached');
  });
});
