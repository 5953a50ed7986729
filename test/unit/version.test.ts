// src/version.ts: `xdp-doctor --version --verbose` over the tools' recorded version output.
import { describe, expect, it } from 'vitest';
import { packageRoot, packageVersion } from '../../src/paths.js';
import { formatVersionInfo, versionInfo } from '../../src/version.js';
import { fakeExec } from '../../src/plugins/testing.js';
import { toolVersionSections } from './helpers/recordings.js';

const sections = toolVersionSections();

describe('--version --verbose', () => {
  it('names the version, the install, node, the kernel, each BPF object and every tool with its version', async () => {
    const exec = fakeExec([
      { argv: ['bpftrace', '--version'], notFound: true },
      ...[...sections].filter(([argv]) => !argv.startsWith('bpftrace ')).map(([argv, stdout]) => ({ argv: argv.split(' '), stdout })),
    ]);
    const info = await versionInfo(exec, {});
    // Each tool's version command once, clang's included.
    expect(exec.calls.map((c) => c.argv.join(' ')).sort()).toEqual([...sections.keys()].sort());
    expect(info.version).toBe(packageVersion());
    expect(info.tools).toMatchObject({ ip: '6.1.0', bpftool: '7.1.0', xdpdump: '1.3.1', clang: '14.0.6', bpftrace: null });
    expect(info.bpfObjects['xdp_pass.o']).toMatchObject({ from: 'package', present: true });

    const text = formatVersionInfo(info);
    expect(text.split('\n')[0]).toBe(`xdp-doctor ${packageVersion()}`);
    expect(text).toContain(`package          ${packageRoot()}\n`);
    expect(text).toMatch(/\n {2}kernel {11}\S+ .*\((x64|arm64|\w+), (little|big)-endian\)\n/);
    expect(text).toMatch(/\n {2}bpftrace {9}not found \(.*install bpftrace.*\)\n/);
    expect(text).toContain('  clang            14.0.6\n');
  });
});
