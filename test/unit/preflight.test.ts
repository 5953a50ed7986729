// checks/preflight.ts exports: capabilities from /proc/self/status and mounts from /proc/mounts, as recorded.
import { describe, it, expect } from 'vitest';
import { missingCaps, mountedAs } from '../../checks/preflight.js';
import { recording } from './helpers/recordings.js';

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
