// The knowledge base checked against itself and the rungs: every cause id a rung, a signal row or a drop-reason row
// names exists in src/kb/causes.ts, and every errno row has a meaning and a kernel source.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { causeInfo } from '../../src/kb/causes.js';
import { SIGNALS } from '../../src/kb/signals.js';
import { allDropReasons } from '../../src/kb/drop-reasons.js';

const dir = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
/** Cause ids written as literals in the built-in rungs: `cause: 'x'` and the lists of causes a finding explains. */
function causesNamedIn(folder: string): Set<string> {
  const out = new Set<string>();
  for (const f of readdirSync(dir(folder)).filter((n) => n.endsWith('.ts'))) {
    const src = readFileSync(dir(`${folder}/${f}`), 'utf8');
    for (const m of src.matchAll(/cause: '([a-z0-9-]+)'/g)) out.add(m[1]!);
    for (const m of src.matchAll(/explains: \[([^\]]*)\]/g)) for (const id of m[1]!.matchAll(/'([a-z0-9-]+)'/g)) out.add(id[1]!);
    for (const m of src.matchAll(/const AFTER_XDP_CAUSES = \[([^\]]*)\]/g)) for (const id of m[1]!.matchAll(/'([a-z0-9-]+)'/g)) out.add(id[1]!);
  }
  return out;
}

describe('the knowledge base', () => {
  it('every cause id the built-in rungs raise or explain exists', () => {
    const named = causesNamedIn('../../checks');
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((id) => !causeInfo(id))).toEqual([]);
  });
  it('every signal row and drop-reason row names causes that exist', () => {
    expect(SIGNALS.filter((r) => !causeInfo(r.cause)).map((r) => `${r.tracepoint} ${r.errno}: ${r.cause}`)).toEqual([]);
    const rows = allDropReasons();
    expect(rows.flatMap((r) => [r.cause, ...r.explains]).filter((id) => !causeInfo(id))).toEqual([]);
  });
  it('every errno row has a meaning and a kernel source; xdp_redirect_err covers the AF_XDP errnos', () => {
    for (const r of SIGNALS.filter((x) => x.errno !== undefined)) {
      expect(r.meaning.length, `${r.tracepoint} ${r.errno}`).toBeGreaterThan(10);
      expect(r.source, `${r.tracepoint} ${r.errno}`).toMatch(/\.c\b|\.h\b/);
    }
    const redirect = new Set(SIGNALS.filter((r) => r.tracepoint === 'xdp_redirect_err').map((r) => r.errno));
    for (const e of [2, 6, 12, 22, 28, 56, 75, 90, 95, 100, 105]) expect(redirect.has(e), `errno ${e}`).toBe(true);
  });
});
