// The knowledge base checked against itself and the rungs: every cause id a rung (built-in or attach), the engine,
// a signal row, a drop-reason row, an attach refusal or a verifier rule names exists in src/kb/causes.ts; every
// errno row has a meaning, a kernel source that names a function, and an errno the table knows; every errno an
// xdp:* tracepoint reports for a redirect has a row for each map type whose kernel path returns it.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { causeInfo } from '../../src/kb/causes.js';
import { SIGNALS } from '../../src/kb/signals.js';
import { allDropReasons } from '../../src/kb/drop-reasons.js';
import { ATTACH_REFUSALS } from '../../src/kb/attach-refusals.js';
import { VERIFIER_RULES } from '../../src/kb/verifier-rules.js';
import { lookupErrno } from '../../src/kb/errnos.js';

const dir = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const ids = (list: string) => [...list.matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1]!);
/**
 * Cause ids written as literals in source: `cause: 'x'`, a cause compared (`cause === 'x'`) or typed
 * (`cause: 'x' | 'y'`), the lists a finding explains, and any `…_CAUSES = [...]` constant.
 */
export function causesNamedIn(src: string): Set<string> {
  const out = new Set<string>();
  for (const m of src.matchAll(/(?<!typeof\s+[\w.]*)\bcause\s*(?::|===|!==)\s*('[a-z0-9-]+'(?:\s*\|\s*'[a-z0-9-]+')*)/g)) ids(m[1]!).forEach((id) => out.add(id));
  for (const m of src.matchAll(/explains: \[([^\]]*)\]/g)) ids(m[1]!).forEach((id) => out.add(id));
  for (const m of src.matchAll(/\b[A-Z_]*CAUSES\s*(?::[^=]+)?=\s*\[((?:\s*'[a-z0-9-]+'\s*,?)*)\s*\]/g)) ids(m[1]!).forEach((id) => out.add(id));
  return out;
}
function causesNamedInFolder(folder: string): Set<string> {
  const out = new Set<string>();
  for (const f of readdirSync(dir(folder), { withFileTypes: true }).filter((e) => e.isFile() && /\.tsx?$/.test(e.name)).map((e) => e.name)) {
    causesNamedIn(readFileSync(dir(`${folder}/${f}`), 'utf8')).forEach((id) => out.add(id));
  }
  return out;
}
/** Causes that are not kb causes by design: the id a fix log gives an attach it applied. */
const NOT_CAUSES = new Set(['attach']);

describe('the knowledge base', () => {
  it('the scan sees each way a cause is named', () => {
    const sample = "f({ cause: 'a-1' }); if (x.cause === 'b') {}; type T = { cause: 'c' | 'd' };\n" +
      "g({ explains: ['e', 'f'] }); const VERDICT_CAUSES = ['g']; const AFTER_XDP_CAUSES: string[] = ['h'];\n" +
      "if (typeof d.cause === 'string') {}; const CAUSES: Info[] = [{ id: 'x', severity: 'high' }];";
    expect([...causesNamedIn(sample)].sort()).toEqual(['a-1', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('every cause id the built-in rungs raise or explain exists', () => {
    const named = causesNamedInFolder('../../checks');
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((id) => !causeInfo(id))).toEqual([]);
  });

  it('every cause id the attach rungs, the engine, the views and the kb tables name exists', () => {
    const named = new Set<string>();
    for (const folder of ['../../src', '../../src/attach', '../../src/engine', '../../src/ui', '../../src/report', '../../src/kb', '../../src/lab', '../../src/fleet', '../../src/plugins']) {
      causesNamedInFolder(folder).forEach((id) => named.add(id));
    }
    expect(named.size).toBeGreaterThan(30);
    expect([...named].filter((id) => !NOT_CAUSES.has(id) && !causeInfo(id))).toEqual([]);
    expect(ATTACH_REFUSALS.filter((r) => !causeInfo(r.cause)).map((r) => r.message)).toEqual([]);
    expect(VERIFIER_RULES.filter((r) => !causeInfo(r.cause)).map((r) => r.cause)).toEqual([]);
  });
  it('every signal row and drop-reason row names causes that exist', () => {
    expect(SIGNALS.filter((r) => !causeInfo(r.cause)).map((r) => `${r.tracepoint} ${r.errno}: ${r.cause}`)).toEqual([]);
    const rows = allDropReasons();
    expect(rows.flatMap((r) => [r.cause, ...r.explains]).filter((id) => !causeInfo(id))).toEqual([]);
  });
  it('every errno row has a meaning and a kernel source; xdp_redirect_err covers the AF_XDP errnos', () => {
    for (const r of SIGNALS.filter((x) => x.errno !== undefined)) {
      const at = `${r.tracepoint} ${r.errno} ${r.driver ?? r.mapType ?? ''}`;
      expect(r.meaning.length, at).toBeGreaterThan(10);
      // A file and the function in it that returns the errno: "net/xdp/xsk.c xsk_rcv_check()".
      expect(r.source, at).toMatch(/[\w/-]+\.[ch]\b[^;]*?\b\w+\(\)/);
      expect(r.confirm.length, at).toBeGreaterThan(0);
      expect(r.fix.length, at).toBeGreaterThan(0);
      if (r.errno) expect(lookupErrno(r.errno), at).toBeDefined();
    }
    const redirect = new Set(SIGNALS.filter((r) => r.tracepoint === 'xdp_redirect_err').map((r) => r.errno));
    for (const e of [2, 6, 12, 22, 28, 56, 75, 90, 95, 100, 105]) expect(redirect.has(e), `errno ${e}`).toBe(true);
  });

  it('the errnos a redirect reports have a row per map type whose kernel path returns them', () => {
    const has = (errno: number, mapType?: string, tracepoint = 'xdp_redirect_err') =>
      SIGNALS.some((r) => r.tracepoint === tracepoint && r.errno === errno && r.mapType === mapType);
    // net/xdp/xsk.c: unbound socket, empty fill ring, frame over the chunk, full RX ring.
    for (const e of [6, 12, 28, 105]) expect(has(e, 'xskmap'), `xskmap ${e}`).toBe(true);
    // kernel/bpf/devmap.c: a broadcast clone; the driver's ENXIO (reported at flush) explained from the devmap side.
    for (const e of [6, 12]) expect(has(e, 'devmap'), `devmap ${e}`).toBe(true);
    // kernel/bpf/cpumap.c cpu_map_generic_redirect(): a full ring.
    expect(has(28, 'cpumap')).toBe(true);
    // The same errnos without a known map still have a row that tells the map types apart.
    for (const e of [6, 12, 28, 105]) expect(has(e), `any map ${e}`).toBe(true);
    // The driver's refusal at flush: veth and the drivers that need their own program or enough queues.
    for (const d of ['veth', 'virtio_net', 'i40e', 'mlx5_core']) {
      expect(SIGNALS.some((r) => r.tracepoint === 'xdp_devmap_xmit' && r.errno === 6 && r.driver === d), d).toBe(true);
    }
  });
});
