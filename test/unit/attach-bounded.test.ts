// runBounded keeps the head and the tail of a loader's output (the verifier's walk of a program too large to verify
// is ~118 MB through libbpf on this machine). The lines here are numbered stand-ins (invented), since only their
// count and order matter; the real log's head and tail are test/recordings/verifier/unbounded_loop.ip-stderr.
import { describe, expect, test } from 'vitest';
import { fakeExec } from '../../src/plugins/testing.js';
import { runBounded } from '../../src/attach/bounded-run.js';
import type { Exec } from '../../src/tools/exec.js';

const ending = (inner: ReturnType<typeof fakeExec>): Exec => ({ ...inner, run: inner.run.bind(inner), spawn: (a, o) => { const c = inner.spawn(a, o); void c.stop(); return c; } });

describe('runBounded', () => {
  test('the first and the last lines, and how many were left out', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    const exec = ending(fakeExec([{ argv: ['ip', 'link'], stderrLines: lines, exitCode: 255 }]));
    const r = await runBounded(exec, ['ip', 'link'], { head: 5, tail: 10 });
    const out = r.stderr.split('\n');
    expect(out.slice(0, 5)).toEqual(lines.slice(0, 5));
    expect(out[5]).toBe("[… 985 line(s) of the loader's output not kept …]");
    expect(out.slice(6)).toEqual(lines.slice(990));
    expect(r.ok).toBe(false);
    expect(r.droppedLines).toBe(985);
  });
  test('short output is kept whole', async () => {
    const exec = ending(fakeExec([{ argv: ['ip', 'link'], stderrLines: ['a', 'b'], exitCode: 0 }]));
    expect((await runBounded(exec, ['ip', 'link'])).stderr).toBe('a\nb');
  });
});
