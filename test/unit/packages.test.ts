// src/tools/packages.ts: the install lines per distribution family, from one table.
import { describe, expect, it } from 'vitest';
import { BPF_BUILD_NEEDS, SYSTEM_PACKAGES, familyOf, installHintFor, installLine, installLines } from '../../src/tools/packages.js';
import { TOOL_SPECS } from '../../src/tools/versions.js';
import { recording } from './helpers/recordings.js';

describe('familyOf', () => {
  it('reads ID and ID_LIKE of /etc/os-release', () => {
    expect(familyOf(recording('preflight/os-release-debian12.txt'))).toBe('debian');
    expect(familyOf(recording('preflight/os-release-rocky94.txt'))).toBe('fedora');
    expect(familyOf('')).toBeUndefined();
  });
});

describe('install lines', () => {
  it('one exact line per family, each package once', () => {
    expect(installLine(['tshark', 'xdpdump', 'ip', 'nstat'], 'debian')).toBe('apt-get install tshark xdp-tools iproute2');
    expect(installLine(['tshark', 'xdpdump', 'ip', 'nstat'], 'fedora')).toBe('dnf install wireshark-cli xdp-tools iproute');
    expect(installLines(['nc', 'sysctl'])).toEqual([
      'Debian/Ubuntu: apt-get install netcat-openbsd procps',
      'Fedora/RHEL: dnf install netcat procps-ng',
    ]);
  });

  it('the BPF build needs the compiler, make and the libbpf and kernel headers', () => {
    expect(installLine(BPF_BUILD_NEEDS, 'debian')).toBe('apt-get install clang make libbpf-dev linux-libc-dev');
    expect(installLine(BPF_BUILD_NEEDS, 'fedora')).toBe('dnf install clang make libbpf-devel kernel-headers');
  });

  it('the host\'s line when the family is known, both otherwise', () => {
    expect(installHintFor(['bpftrace'], 'fedora')).toBe('dnf install bpftrace');
    expect(installHintFor(['bpftrace'], 'unknown')).toBe('Debian/Ubuntu: apt-get install bpftrace; Fedora/RHEL: dnf install bpftrace');
  });

  it('knows every tool the ladder runs and every tool the lab needs', () => {
    for (const spec of Object.values(TOOL_SPECS)) expect(SYSTEM_PACKAGES[spec.bin]).toBeDefined();
    for (const t of ['ip', 'bpftool', 'ethtool', 'nsenter', 'nc', 'sysctl', 'nstat']) expect(SYSTEM_PACKAGES[t]).toBeDefined();
    expect(() => installLine(['no-such-tool'], 'debian')).toThrow('no package known for no-such-tool');
  });
});
