// src/tools/bpf-objects.ts: where each BPF object is found, and the build from the shipped sources at first use.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BPF_OBJECTS, BpfBuildError, bpfBuildArgv, bpfCacheDir, bpfObject, ensureBpfObjects, missingCompilerMessage, shippedBpfDir,
} from '../../src/tools/bpf-objects.js';
import { packageRoot, packageVersion } from '../../src/paths.js';
import { realExec } from '../../src/tools/exec.js';
import { labObjects } from '../../src/lab/paths.js';
import { fakeExec } from '../../src/plugins/testing.js';

let cache: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => { cache = mkdtempSync(join(tmpdir(), 'xdpd-bpfcache-')); env = { XDP_DOCTOR_CACHE_DIR: cache }; });
afterEach(() => rmSync(cache, { recursive: true, force: true }));
/** The build of one object, as bpf/Makefile is run for it. */
const makeArgv = (target: string) => ['make', '-s', '-C', join(packageRoot(), 'bpf'), `BUILD=${join(cache, `bpf-${packageVersion()}`)}`, 'TARGET=bpf', target];

describe('bpfObject', () => {
  it('the shipped object on a little-endian host; the version\'s cache directory on a big-endian one', () => {
    // npm test builds bpf/build first (scripts/setup.sh), as npm pack does (prepack).
    expect(existsSync(join(shippedBpfDir(), 'xdp_pass.o'))).toBe(true);
    expect(bpfObject('xdp_pass.o', env, true)).toBe(join(packageRoot(), 'bpf', 'build', 'xdp_pass.o'));
    expect(bpfObject('xdp_pass.o', env, false)).toBe(join(cache, `bpf-${packageVersion()}`, 'xdp_pass.o'));
  });

  it('XDP_DOCTOR_BPF_DIR names another build directory', () => {
    expect(bpfObject('xdp_lb.o', { ...env, XDP_DOCTOR_BPF_DIR: '/opt/bpf' }, true)).toBe('/opt/bpf/xdp_lb.o');
  });

  it('the cache follows XDP_DOCTOR_CACHE_DIR, then $XDG_CACHE_HOME/xdp-doctor, then /var/cache/xdp-doctor', () => {
    const v = `bpf-${packageVersion()}`;
    expect(bpfCacheDir({ XDP_DOCTOR_CACHE_DIR: '/c', XDG_CACHE_HOME: '/h' })).toBe(`/c/${v}`);
    expect(bpfCacheDir({ XDG_CACHE_HOME: '/h' })).toBe(`/h/xdp-doctor/${v}`);
    expect(bpfCacheDir({})).toBe(`/var/cache/xdp-doctor/${v}`);
  });

  it('the lab\'s objects come from the same place', () => {
    expect(Object.values(labObjects()).every((p) => BPF_OBJECTS.some((n) => p.endsWith(`/${n}`)))).toBe(true);
  });
});

describe('ensureBpfObjects', () => {
  it('runs nothing when the objects are there', async () => {
    const exec = fakeExec([]);
    const paths = await ensureBpfObjects(exec, ['xdp_pass.o', 'xdp_lb.o'], { env, le: true });
    expect(paths['xdp_lb.o']).toBe(join(shippedBpfDir(), 'xdp_lb.o'));
    expect(exec.calls).toEqual([]);
  });

  it('builds a missing one with bpf/Makefile into the cache, in the host\'s byte order, never into the package', async () => {
    const target = join(cache, `bpf-${packageVersion()}`, 'xdp_pass.o');
    const exec = fakeExec([{ argv: makeArgv(target), netns: null }]);
    await ensureBpfObjects(exec, ['xdp_pass.o'], { env, le: false, dryRun: true });
    expect(exec.calls.map((c) => c.argv)).toEqual([makeArgv(target)]);
    expect(bpfBuildArgv(target)).toEqual(exec.calls[0]!.argv);
  });

  it('a failed build is one line: clang\'s first error, and the install lines when a header is missing', async () => {
    const stderr = "xdp_pass.c:2:10: fatal error: 'bpf/bpf_helpers.h' file not found\n#include <bpf/bpf_helpers.h>\n         ^~~~~~~~~~~~~~~~~~~~\n1 error generated.\nmake: *** [Makefile:24: x.o] Error 1";
    const exec = fakeExec([{ argv: makeArgv(join(cache, `bpf-${packageVersion()}`, 'xdp_pass.o')), netns: null, exitCode: 2, stderr }]);
    const err = await ensureBpfObjects(exec, ['xdp_pass.o'], { env, le: false }).catch((e) => e);
    expect(err).toBeInstanceOf(BpfBuildError);
    expect(err.message).not.toContain('\n');
    expect(err.message).toContain("fatal error: 'bpf/bpf_helpers.h' file not found");
    expect(err.message).toContain('apt-get install clang make libbpf-dev linux-libc-dev');
    expect(err.message).toContain('dnf install clang make libbpf-devel kernel-headers');
  });

  it('without clang: one line naming it and how to install it', () => {
    const m = missingCompilerMessage(['xdp_lb.o', 'xdp_pass.o'], ['clang']);
    expect(m).toBe('cannot build BPF objects xdp_lb.o, xdp_pass.o from source: clang not installed (Debian/Ubuntu: apt-get install clang make libbpf-dev linux-libc-dev; Fedora/RHEL: dnf install clang make libbpf-devel kernel-headers)');
  });

  it('really builds from the shipped sources (clang present): an ELF object in the host\'s byte order', async () => {
    const paths = await ensureBpfObjects(realExec, ['xdp_pass.o'], { env, le: false });
    const elf = readFileSync(paths['xdp_pass.o']);
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf[5]).toBe(endianness() === 'LE' ? 1 : 2); // EI_DATA: 1 little-endian, 2 big-endian
  });
});
