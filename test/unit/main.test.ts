// src/main.ts through main(argv, io) with in-memory streams: exit codes and what is printed.
import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/main.js';
import { helpText } from '../../src/help.js';
import { BUILTIN_CHECKS } from '../../checks/index.js';

function memoryIO() {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => new Writable({ write(chunk, _enc, cb) { into.push(String(chunk)); cb(); } });
  return { io: { stdout: sink(out), stderr: sink(err) }, stdout: () => out.join(''), stderr: () => err.join('') };
}

async function run(argv: string[]) {
  const m = memoryIO();
  const code = await main(argv, m.io);
  return { code, stdout: m.stdout(), stderr: m.stderr() };
}

const version = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')).version;

describe('main', () => {
  it('--version / -V print the package version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `xdp-doctor ${version}\n`, stderr: '' });
    expect((await run(['-V'])).stdout).toBe(`xdp-doctor ${version}\n`);
  });

  it('--help / -h print the help', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, stdout: helpText(BUILTIN_CHECKS), stderr: '' });
    expect((await run(['-h'])).stdout).toContain('Rungs (in this order; each runs the real tool against the real program)');
  });

  it('--help names every registered rung, in rung order, with its title and question', async () => {
    const { stdout } = await run(['--help']);
    const plain = stdout.replace(/\n {4,}/g, ' '); // a question wrapped under its title reads as one line
    const at = BUILTIN_CHECKS.map((c) => {
      expect(plain).toMatch(new RegExp(`^  ${c.id} +${c.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
      expect(plain).toContain(c.question!);
      return { rung: c.rung, at: plain.indexOf(`  ${c.id} `) };
    });
    expect(BUILTIN_CHECKS.length).toBe(13);
    const byRung = [...at].sort((a, b) => a.rung - b.rung).map((x) => x.at);
    expect(byRung).toEqual([...byRung].sort((a, b) => a - b));
    expect(stdout.split('\n').every((l) => l.length <= 100)).toBe(true);
  });

  it('an unknown flag: exit 2 and one line on stderr', async () => {
    const r = await run(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^xdp-doctor: .*'--bogus'.*; try `xdp-doctor --help`\n$/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an invalid value: exit 2, nothing runs', async () => {
    const r = await run(['--iface', 'x;touch /tmp/pwned']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^xdp-doctor: --iface "x;touch \/tmp\/pwned" is not a valid interface name/);
  });

  it('an unknown command: exit 2', async () => {
    expect(await run(['frobnicate'])).toEqual({ code: 2, stdout: '', stderr: 'xdp-doctor: unknown command "frobnicate"; try `xdp-doctor --help`\n' });
  });
});

describe('main explain', () => {
  it('explain 6 --tracepoint xdp_bulk_tx --driver veth: the veth row', async () => {
    const r = await run(['explain', '6', '--tracepoint', 'xdp_bulk_tx', '--driver', 'veth']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ENXIO \(errno 6, reported as -6\): No such device or address\n\nIn xdp:xdp_bulk_tx on veth \(reproduced on the lab\):\n/);
    expect(r.stdout).toContain('drivers/net/veth.c');
    expect(r.stdout).not.toContain('libeth');
  });

  it('the tracepoint may be written as xdp:xdp_bulk_tx or tracepoint:xdp:xdp_bulk_tx', async () => {
    const plain = await run(['explain', '6', '--tracepoint', 'xdp_bulk_tx', '--driver', 'veth']);
    expect((await run(['explain', '6', '--tracepoint', 'tracepoint:xdp:xdp_bulk_tx', '--driver', 'veth'])).stdout).toBe(plain.stdout);
    expect((await run(['explain', '6', '--tracepoint', 'xdp:xdp_bulk_tx', '--driver', 'veth'])).stdout).toBe(plain.stdout);
  });

  it('explain -6: a negative errno is not a flag; every XDP row of ENXIO', async () => {
    const r = await run(['explain', '-6']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('ENXIO (errno 6, reported as -6): No such device or address');
    expect(r.stdout).toContain('In xdp:xdp_bulk_tx on veth');
    expect(r.stdout).toContain('In xdp:xdp_devmap_xmit:');
  });

  it('explain ENXIO is explain 6', async () => {
    expect(await run(['explain', 'ENXIO'])).toEqual(await run(['explain', '6']));
    expect((await run(['explain', 'enxio'])).code).toBe(0);
  });

  it('explain 62: no XDP row, still named', async () => {
    const r = await run(['explain', '62']);
    expect(r).toEqual({
      code: 0, stderr: '',
      stdout: 'ETIME (errno 62, reported as -62): Timer expired\nNo XDP-specific knowledge for this errno; the libc meaning above is all that is known.\n',
    });
  });

  it('explain 999: unknown errno, exit 2', async () => {
    const r = await run(['explain', '999']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^xdp-doctor explain: unknown errno "999"; usage: /);
  });

  it('explain without an errno, with two, or with an unknown flag: exit 2', async () => {
    expect((await run(['explain'])).code).toBe(2);
    expect((await run(['explain', '6', '22'])).stderr).toMatch(/give exactly one errno/);
    expect((await run(['explain', '6', '--bogus'])).code).toBe(2);
  });
});

describe('the interactive path as one file (dist/src/wizard.bundle.js)', () => {
  it('is used only when it exists and is newer than the modules tsc wrote', async () => {
    const { mkdtempSync, writeFileSync, utimesSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { pathToFileURL } = await import('node:url');
    const { bundleIsCurrent, loadInteractive } = await import('../../src/main.js');
    const dir = mkdtempSync(join(tmpdir(), 'xdpd-bundle-'));
    try {
      const bundle = join(dir, 'wizard.bundle.js');
      const modules = join(dir, 'doctor.js');
      writeFileSync(modules, '');
      expect(bundleIsCurrent(pathToFileURL(bundle), pathToFileURL(modules))).toBe(false); // no bundle
      writeFileSync(bundle, 'export const runDoctor = "bundled";\n');
      utimesSync(modules, new Date(2000_000_000_000), new Date(2000_000_000_000));
      utimesSync(bundle, new Date(1000_000_000_000), new Date(1000_000_000_000));
      expect(bundleIsCurrent(pathToFileURL(bundle), pathToFileURL(modules))).toBe(false); // tsc ran after it
      const stale = await loadInteractive(pathToFileURL(bundle), pathToFileURL(modules));
      expect(typeof stale.runDoctor).toBe('function');
      utimesSync(bundle, new Date(2000_000_000_000), new Date(2000_000_000_000));
      expect(bundleIsCurrent(pathToFileURL(bundle), pathToFileURL(modules))).toBe(true); // npm pack: equal times
      expect((await loadInteractive(pathToFileURL(bundle), pathToFileURL(modules))).runDoctor).toBe('bundled');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
