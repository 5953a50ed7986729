// src/tools/boot-cache.ts and the preflight rung's use of it: tool versions and the fentry answer kept per boot,
// reused while the binary that reported a version is unchanged (one stat), asked again otherwise.
import { describe, expect, it } from 'vitest';
import preflight from '../../checks/preflight.js';
import { binFingerprint, BOOT_ID_PATH, bootCachePath, parseBootFacts, reusableVersions, type BootFacts } from '../../src/tools/boot-cache.js';
import { TOOL_SPECS } from '../../src/tools/versions.js';
import { runCheck } from '../../src/plugins/testing/run-check.js';
import type { Recording } from '../../src/plugins/testing/fake-exec.js';
import { recording, toolVersionSections } from './helpers/recordings.js';

const BOOT = '0b0f2c51-6f0e-4d7a-9a43-2c1d5b1b9c11';
const facts = (over: Partial<BootFacts> = {}): BootFacts => ({
  bootId: BOOT, capEff: '000001ffffffffff', tools: { bpftool: { version: '7.1.0', fingerprint: '/usr/sbin/bpftool 100 5' } }, fentry: { ok: false, error: 'Operation not permitted' }, ...over,
});

describe('parseBootFacts', () => {
  it('this boot and these capabilities: reused', () => {
    expect(parseBootFacts(JSON.stringify(facts()), BOOT, '000001ffffffffff')).toEqual(facts());
  });
  it('another boot, other capabilities, garbage or nothing: not reused', () => {
    expect(parseBootFacts(JSON.stringify(facts()), 'another-boot', '000001ffffffffff')).toBeUndefined();
    expect(parseBootFacts(JSON.stringify(facts()), BOOT, '0000000000000000')).toBeUndefined();
    expect(parseBootFacts('{"bootId":', BOOT, '000001ffffffffff')).toBeUndefined();
    expect(parseBootFacts(JSON.stringify({ ...facts(), tools: { x: { version: 3 } } }), BOOT, '000001ffffffffff')).toBeUndefined();
    expect(parseBootFacts(undefined, BOOT, '')).toBeUndefined();
  });
});

describe('reusableVersions', () => {
  it('reuses a version only while the binary is the same; a new, changed or gone binary is asked again', () => {
    const cached = facts({ tools: {
      bpftool: { version: '7.1.0', fingerprint: '/usr/sbin/bpftool 100 5' },
      tshark: { version: null, fingerprint: null },
      tcpdump: { version: '4.99.3', fingerprint: '/usr/bin/tcpdump 9 9' },
      xdpdump: { version: null, fingerprint: null },
    } });
    expect(reusableVersions(cached, {
      bpftool: '/usr/sbin/bpftool 100 5', tshark: null, tcpdump: '/usr/bin/tcpdump 9 10', xdpdump: '/usr/sbin/xdpdump 1 1', ip: '/usr/sbin/ip 1 1',
    })).toEqual({ known: { bpftool: '7.1.0', tshark: null }, stale: ['tcpdump', 'xdpdump', 'ip'] });
  });
});

describe('binFingerprint', () => {
  it('path, size and mtime of the first file on PATH; null when there is none', () => {
    const stat = (p: string) => (p === '/opt/b/tool' ? { size: 42, mtimeMs: 1700000000123.4, isFile: () => true } : undefined);
    expect(binFingerprint('tool', '/opt/a:/opt/b', stat)).toBe('/opt/b/tool 42 1700000000123');
    expect(binFingerprint('other', '/opt/a:/opt/b', stat)).toBeNull();
  });
  it('a directory the user may not enter is skipped, not a crash (nobody with root\'s PATH)', () => {
    const stat = (p: string) => {
      if (p.startsWith('/root/')) throw Object.assign(new Error(`EACCES: permission denied, stat '${p}'`), { code: 'EACCES' });
      return p === '/usr/bin/tool' ? { size: 7, mtimeMs: 5, isFile: () => true } : undefined;
    };
    expect(binFingerprint('tool', '/root/.cargo/bin:/usr/bin', stat)).toBe('/usr/bin/tool 7 5');
  });
});

describe('preflight with this boot\'s cache', () => {
  const base = {
    '/proc/self/status': recording('preflight/proc-status-caps.txt'), '/proc/mounts': recording('preflight/proc-mounts.txt'),
    '/proc/sys/kernel/unprivileged_bpf_disabled': '2\n', '/sys/kernel/btf/vmlinux': '',
  };
  const capEff = /^CapEff:\s*(\S+)/m.exec(recording('preflight/proc-status-caps.txt'))![1]!;
  const exec: Recording[] = [
    { argv: (argv) => argv[0] === 'bpftool' && argv[1] === 'prog' && argv[2] === 'load' },
    { argv: (argv) => argv[0] === 'rm' },
    ...[...toolVersionSections()].map(([argv, out]) => ({ argv: argv.split(' '), stdout: out })),
  ];

  it('the first run asks every tool and loads fentry, and writes what it learnt; the second asks nothing', async () => {
    const first = await runCheck(preflight, { exec, files: { ...base, [BOOT_ID_PATH]: `${BOOT}\n` } });
    expect(first.commands.some((c) => c.includes('--version') || c.includes('version'))).toBe(true);
    expect(first.commands.some((c) => c.slice(0, 3).join(' ') === 'bpftool prog load')).toBe(true);
    const written = first.writes.find(([p]) => p === bootCachePath())?.[1];
    expect(written).toBeDefined();
    const cache = parseBootFacts(written, BOOT, capEff)!;
    expect(cache.fentry).toEqual({ ok: true });
    expect(Object.keys(cache.tools).sort()).toEqual(Object.keys(TOOL_SPECS).sort());

    const second = await runCheck(preflight, { exec, files: { ...base, [BOOT_ID_PATH]: `${BOOT}\n`, [bootCachePath()]: written! } });
    expect(second.commands).toEqual([]);
    expect(second.result.evidence.find((e) => e.label === 'tools')?.data).toEqual(first.result.evidence.find((e) => e.label === 'tools')?.data);
    expect(String(second.result.evidence.find((e) => e.label === 'cached this boot')?.data)).toMatch(/^versions of every tool \(binaries unchanged\) and the fentry answer from this boot's preflight \(boot_id 0b0f2c51…/);
    expect(second.result.status).toBe(first.result.status);
  });

  it('after a reboot (another boot_id) everything is asked again', async () => {
    const first = await runCheck(preflight, { exec, files: { ...base, [BOOT_ID_PATH]: `${BOOT}\n` } });
    const written = first.writes.find(([p]) => p === bootCachePath())![1];
    const again = await runCheck(preflight, { exec, files: { ...base, [BOOT_ID_PATH]: 'a-new-boot\n', [bootCachePath()]: written } });
    expect(again.commands.some((c) => c.slice(0, 3).join(' ') === 'bpftool prog load')).toBe(true);
    expect(again.result.evidence.find((e) => e.label === 'cached this boot')).toBeUndefined();
  });
});
