// checks/preflight.ts: capabilities from /proc/self/status; src/tools/mounts.ts: mounts from /proc/mounts, as recorded.
import { describe, it, expect } from 'vitest';
import preflight, { missingCaps } from '../../checks/preflight.js';
import { mountedAs } from '../../src/tools/mounts.js';
import { runCheck } from '../../src/plugins/testing/run-check.js';
import type { Recording } from '../../src/plugins/testing/fake-exec.js';
import { recording, toolVersionSections } from './helpers/recordings.js';

describe('missingCaps', () => {
  it('root on this machine has every capability the ladder needs', () => {
    expect(missingCaps(recording('preflight/proc-status-caps.txt'))).toEqual([]);
  });

  it('CAP_PERFMON and CAP_BPF dropped from the bounding set (setpriv) are named', () => {
    expect(missingCaps(recording('preflight/proc-status-caps-no-bpf-perfmon.txt'))).toEqual(['CAP_PERFMON', 'CAP_BPF']);
  });

  it('nobody has none of them', () => {
    expect(missingCaps(recording('preflight/proc-status-caps-nobody.txt'))).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_PERFMON', 'CAP_BPF']);
  });

  it('without a CapEff line every capability counts as missing', () => {
    expect(missingCaps(recording('preflight/proc-mounts.txt'))).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_PERFMON', 'CAP_BPF']);
    expect(missingCaps('')).toHaveLength(4);
  });
});

describe('mountedAs', () => {
  const mounts = recording('preflight/proc-mounts.txt');

  it('finds bpffs, tracefs and debugfs where they are mounted', () => {
    expect(mountedAs(mounts, '/sys/fs/bpf', 'bpf')).toBe(true);
    expect(mountedAs(mounts, '/sys/kernel/tracing', 'tracefs')).toBe(true);
    expect(mountedAs(mounts, '/sys/kernel/debug', 'debugfs')).toBe(true);
  });

  it('needs both the mount point and the file system type', () => {
    expect(mountedAs(mounts, '/sys/kernel/debug', 'tracefs')).toBe(false);
    expect(mountedAs(mounts, '/sys/kernel/debug/tracing', 'tracefs')).toBe(false);
    expect(mountedAs(mounts, '/run/netns', 'ext4')).toBe(true);
    expect(mountedAs(mounts, '/sys/fs', 'bpf')).toBe(false);
  });

  it('nothing is mounted in an empty table', () => {
    expect(mountedAs('', '/sys/fs/bpf', 'bpf')).toBe(false);
  });
});

describe('preflight over recorded tools, two of them missing', () => {
  it('names what each missing tool costs and prints the exact apt-get and dnf lines, installing nothing', async () => {
    const sections = toolVersionSections();
    const exec: Recording[] = [
      { argv: ['tshark', '--version'], notFound: true, exitCode: 127 },
      { argv: ['xdpdump', '--version'], notFound: true, exitCode: 127 },
      { argv: (argv) => argv[0] === 'bpftool' && argv[1] === 'prog' && argv[2] === 'load' },
      { argv: (argv) => argv[0] === 'rm' },
      ...[...sections].map(([argv, out]) => ({ argv: argv.split(' '), stdout: out })),
    ];
    const mounts = recording('preflight/proc-mounts.txt');
    const { result, commands } = await runCheck(preflight, {
      exec,
      files: {
        '/proc/self/status': recording('preflight/proc-status-caps.txt'), '/proc/mounts': mounts,
        '/proc/sys/kernel/unprivileged_bpf_disabled': '2\n', '/sys/kernel/btf/vmlinux': '',
      },
    });
    expect(result.degraded).toContain('tshark missing: packet-sanity cannot dissect emitted packets');
    expect(result.degraded).toContain('Debian/Ubuntu: apt-get install tshark xdp-tools');
    expect(result.degraded).toContain('Fedora/RHEL: dnf install wireshark-cli xdp-tools');
    expect(result.summary).toBe('ready, degraded: 2 limitation(s)');
    expect(result.evidence.find((e) => e.label === 'install missing tools')?.data).toBe(
      'Debian/Ubuntu: apt-get install tshark xdp-tools\nFedora/RHEL: dnf install wireshark-cli xdp-tools');
    expect(commands.filter((c) => /apt-get|dnf|make/.test(c.join(' ')))).toEqual([]);
  });
});
