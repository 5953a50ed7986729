// What `npm pack` puts in the package (package.json "files"): the built JavaScript, the plugin API's type
// declarations, every BPF object the tool loads (little-endian) with the C sources and Makefile that rebuild
// them, and nothing from test/, no source maps, no example-plugin recordings. Reads the build that npm test's
// setup made (dist/, bpf/build/); --ignore-scripts so prepack does not rebuild under the other tests' feet.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { BPF_OBJECTS } from '../../src/tools/bpf-objects.js';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();
let files: string[];

beforeAll(async () => {
  const r = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, timeout: 60_000 });
  files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}, 90_000);

describe('npm pack --dry-run', () => {
  it('lists every BPF object the tool loads, each little-endian', () => {
    for (const name of BPF_OBJECTS) {
      expect(files, `bpf/build/${name} (make -s -C bpf)`).toContain(`bpf/build/${name}`);
      const elf = readFileSync(join(root, 'bpf', 'build', name));
      expect(elf[5], `${name}: EI_DATA 1 = little-endian`).toBe(1);
    }
  });

  it('lists the C sources and the Makefile that rebuild them', () => {
    const sources = readdirSync(join(root, 'bpf')).filter((f) => /\.(c|h)$/.test(f) || f === 'Makefile');
    for (const f of sources) expect(files).toContain(`bpf/${f}`);
  });

  it('lists nothing from test/, no source maps, no example plugin, no bench or scripts', () => {
    expect(files.filter((f) => /^(test|examples|bench|scripts|node_modules|\.ci)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/') && !/^dist\/(src|checks)\//.test(f))).toEqual([]);
  });

  it('holds the bin, every export and what each packed module imports', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const targets = [pkg.bin['xdp-doctor'], pkg.types, ...Object.values(pkg.exports as Record<string, string | Record<string, string>>)
      .flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))].map((p) => normalize(p));
    for (const t of targets) expect(files, `${t} (npx tsc -p tsconfig.json)`).toContain(t);
    expect(files).toContain('dist/src/lab/echo-server.js');
    expect(files, 'the interactive path as one file (npm run build)').toContain('dist/src/wizard.bundle.js');
    const missing: string[] = [];
    for (const f of files.filter((p) => /\.(js|d\.ts)$/.test(p))) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        let dep = normalize(join(dirname(f), m[1]!));
        if (f.endsWith('.d.ts')) dep = dep.replace(/\.js$/, '.d.ts');
        if (!files.includes(dep)) missing.push(`${f} → ${dep}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
