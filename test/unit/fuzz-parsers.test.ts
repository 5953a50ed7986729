// Every parser of tool output, fed random bytes and mutations of output recorded on this machine (truncated,
// bytes flipped, lines dropped or repeated, JSON with wrong types): it returns something or throws
// ToolOutputError — never a TypeError or RangeError that would crash a rung. Seeded, so a failure repeats.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ToolOutputError } from '../../src/tools/json.js';
import { parseLinks, parseNetnsIds, parseNetnsList } from '../../src/tools/ip.js';
import { parseMap, parseMapDump, parseNetShow, parseProg, printkFormats } from '../../src/tools/bpftool.js';
import { parseTcpdumpOutput } from '../../src/tools/tcpdump.js';
import { parseTraceLine, splitAtMarker, tracefsRoot } from '../../src/tools/trace-pipe.js';
import { parseNstat } from '../../src/tools/nstat.js';
import { parseVersion } from '../../src/tools/versions.js';
import { normalizeEthtoolStats, parseEthtoolDriver, parseEthtoolStats } from '../../src/tools/ethtool.js';
import { parseBpftraceJson, parseBpftraceStderr, xdpBuckets } from '../../src/tools/bpftrace.js';
import { parseXdpdumpOutput } from '../../src/tools/xdpdump.js';
import { parseTsharkJson } from '../../src/tools/tshark.js';
import { readPcap } from '../../src/tools/pcap.js';
import { parseProgRunOutput } from '../../src/tools/bpftool-prog-run.js';
import { parseXlatedJson, programCalls } from '../../src/tools/bpftool-xlated.js';

const REC = join(__dirname, '..', 'recordings');
// Files only: a recordings folder may hold subfolders (per scenario, per kernel).
const recordings = (dir: string) => readdirSync(join(REC, dir), { withFileTypes: true }).filter((f) => f.isFile() && !f.name.endsWith('.py')).map((f) => readFileSync(join(REC, dir, f.name), 'utf8'));

// Mulberry32: small, seeded, good enough to spread inputs.
function rng(seed: number) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = '{}[]":,0123456789abcdefxyz -.\n\t\\/@%!><()ENXIOnull true false';

function mutations(samples: string[], seed: number, count: number): string[] {
  const r = rng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const out: string[] = ['', ' ', '\n', '{}', '[]', 'null', '[null]', '[{}]', '{"error": 5}', '[1,2,3]', '"x"'];
  for (let i = 0; i < count; i++) {
    const base = pick(samples);
    switch (Math.floor(r() * 7)) {
      case 0: out.push(base.slice(0, Math.floor(r() * base.length))); break; // truncated
      case 1: { // a byte flipped
        const at = Math.floor(r() * base.length);
        out.push(base.slice(0, at) + pick([...ALPHABET]) + base.slice(at + 1));
        break;
      }
      case 2: out.push(base.split('\n').filter(() => r() > 0.3).join('\n')); break; // lines dropped
      case 3: out.push(base.split('\n').flatMap((l) => (r() > 0.8 ? [l, l] : [l])).join('\n')); break; // repeated
      case 4: out.push(base.replace(/\d+/g, () => pick(['-1', '1e309', 'NaN', '"7"', 'null', '99999999999999999999']))); break; // wrong numbers
      case 5: out.push(base.replace(/"[a-z_]+":/g, (k) => (r() > 0.7 ? '"zz":' : k))); break; // renamed fields
      default: out.push(Array.from({ length: Math.floor(r() * 200) }, () => pick([...ALPHABET])).join('')); // random
    }
  }
  return out;
}

function neverCrashes(name: string, parse: (text: string) => unknown, samples: string[], seed: number) {
  it(`${name}: returns or throws ToolOutputError on ${samples.length} recordings and 400 mutations`, () => {
    // A filter that matches no recording would fuzz nothing but the fixed strings: the samples must be there.
    expect(samples.length, `${name}: no recording selected`).toBeGreaterThan(0);
    let parsed = 0;
    for (const [i, input] of [...samples, ...mutations(samples, seed, 400)].entries()) {
      try {
        parse(input);
        if (i < samples.length) parsed++;
      } catch (e) {
        if (!(e instanceof ToolOutputError)) throw new Error(`${name} threw ${(e as Error).name}: ${(e as Error).message}\ninput: ${JSON.stringify(input.slice(0, 300))}`);
      }
    }
    // A parser that rejects everything also never crashes; it must still read real output.
    expect(parsed, `${name} rejected every recording`).toBeGreaterThan(0);
  });
}

describe('parsers never crash a rung', () => {
  neverCrashes('ip links', parseLinks, recordings('ip').filter((t) => t.trim().startsWith('[')), 1);
  neverCrashes('ip netns list-id', parseNetnsIds, recordings('ip').filter((t) => t.includes('nsid')), 2);
  neverCrashes('ip netns list', parseNetnsList, recordings('ip').filter((t) => t.includes('nsid') || t.startsWith('[{"name"')), 3);
  const bpftool = recordings('bpftool');
  neverCrashes('bpftool prog show', parseProg, bpftool, 4);
  neverCrashes('bpftool map show', parseMap, bpftool, 5);
  neverCrashes('bpftool map dump', (t) => printkFormats(parseMapDump(t)), bpftool, 6);
  neverCrashes('bpftool net show', parseNetShow, bpftool, 7);
  neverCrashes('bpftool prog run', parseProgRunOutput, bpftool.filter((t) => t.includes('Return value')), 8);
  neverCrashes('bpftool prog dump xlated', (t) => programCalls(parseXlatedJson(t)), recordings('xlated').filter((t) => t.startsWith('[') || t.startsWith('{')), 20);
  neverCrashes('tcpdump lines', parseTcpdumpOutput, recordings('tcpdump'), 9);
  neverCrashes('trace_pipe lines', (t) => { t.split('\n').map(parseTraceLine); splitAtMarker(t.split('\n'), 'xdp-doctor'); }, recordings('trace-pipe'), 10);
  neverCrashes('/proc/mounts', tracefsRoot, recordings('preflight'), 11);
  neverCrashes('nstat', parseNstat, recordings('nstat'), 12);
  neverCrashes('tool versions', parseVersion, recordings('preflight'), 13);
  const ethtool = recordings('ethtool');
  neverCrashes('ethtool -S', (t) => normalizeEthtoolStats(parseEthtoolStats(t)), ethtool, 14);
  neverCrashes('ethtool -i', parseEthtoolDriver, ethtool, 15);
  const bpftrace = recordings('bpftrace');
  neverCrashes('bpftrace JSON', (t) => xdpBuckets(parseBpftraceJson(t)), bpftrace, 16);
  neverCrashes('bpftrace stderr', parseBpftraceStderr, bpftrace, 17);
  neverCrashes('xdpdump', (t) => parseXdpdumpOutput(t.split('\n'), t.split('\n')), recordings('xdpdump'), 18);
  neverCrashes('tshark JSON', parseTsharkJson, recordings('tshark'), 19);
});

describe('pcap reader never crashes on damaged files', () => {
  it('returns or throws ToolOutputError on truncated and bit-flipped captures', () => {
    const files = readdirSync(join(REC, 'pcap')).filter((f) => f.endsWith('.pcap')).map((f) => readFileSync(join(REC, 'pcap', f)));
    expect(files.length).toBeGreaterThan(0);
    const r = rng(20);
    for (const file of files) {
      const inputs: Buffer[] = [Buffer.alloc(0), file];
      for (let i = 0; i < 300; i++) {
        const b = Buffer.from(file.subarray(0, Math.floor(r() * file.length)));
        if (b.length && r() > 0.5) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        inputs.push(b);
      }
      for (const input of inputs) {
        try { readPcap(input); } catch (e) {
          if (!(e instanceof ToolOutputError)) throw new Error(`readPcap threw ${(e as Error).name}: ${(e as Error).message} on ${input.length} bytes`);
        }
      }
    }
  });
});
