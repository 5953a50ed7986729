// src/tools/versions.ts: parseVersion on what each tool printed on this machine (tool-versions.txt).
import { describe, it, expect } from 'vitest';
import { installHint, onPath, parseVersion, toolVersions, TOOL_SPECS } from '../../src/tools/versions.js';
import { toolVersionSections } from './helpers/recordings.js';
import { fakeExec } from '../../src/plugins/testing.js';

const sections = toolVersionSections();

describe('parseVersion', () => {
  it.each([
    ['ip -V', '6.1.0'],
    ['bpftool version', '7.1.0'],
    ['tcpdump --version', '4.99.3'],
    ['ethtool --version', '6.1'],
    ['bpftrace --version', '0.17.0'],
    ['tshark --version', '4.0.17'],
    ['xdpdump --version', '1.3.1'],
    ['nstat -V', '6.1.0'],
    ['nsenter --version', '2.38.1'],
  ])('%s → %s', (argv, version) => {
    expect(sections.get(argv)).toBeDefined();
    expect(parseVersion(sections.get(argv)!)).toBe(version);
  });

  it('every tool of TOOL_SPECS was recorded with its versionArgv', () => {
    for (const spec of Object.values(TOOL_SPECS)) expect(sections.has(spec.versionArgv.join(' '))).toBe(true);
  });

  it('is undefined when there is no version in the text', () => {
    expect(parseVersion('')).toBeUndefined();
    expect(parseVersion('tcpdump: verbose output suppressed, use -v[v]... for full protocol decode')).toBeUndefined();
  });
});

describe('toolVersions over a fake Exec', () => {
  it('runs each versionArgv; a missing binary is null; stderr counts too', async () => {
    const exec = fakeExec([
      ...['ip -V', 'bpftool version', 'tshark --version'].map((c) => ({ argv: c.split(' '), stdout: sections.get(c)! })),
      { argv: ['bpftrace', '--version'], notFound: true },
      { argv: ['ethtool', '--version'], stderr: sections.get('ethtool --version')! }, // printed on stderr: still read
    ]);
    const v = await toolVersions(exec, ['ip', 'bpftool', 'bpftrace', 'ethtool', 'tshark']);
    expect(v).toEqual({ ip: '6.1.0', bpftool: '7.1.0', bpftrace: null, ethtool: '6.1', tshark: '4.0.17' });
    expect(exec.calls.map((c) => c.argv)).toEqual([['ip', '-V'], ['bpftool', 'version'], ['bpftrace', '--version'], ['ethtool', '--version'], ['tshark', '--version']]);
  });

  it('a tool that prints no version is "unknown"', async () => {
    const exec = fakeExec([{ argv: ['nsenter', '--version'], stdout: '' }]);
    expect(await toolVersions(exec, ['nsenter'])).toEqual({ nsenter: 'unknown' });
  });
});

describe('installHint / onPath', () => {
  it('names the package that installs the tool, for the host\'s family, or both lines when unknown', () => {
    expect(installHint('xdpdump', 'debian')).toBe('apt-get install xdp-tools');
    expect(installHint('nstat', 'debian')).toBe('apt-get install iproute2');
    expect(installHint('tshark', 'fedora')).toBe('dnf install wireshark-cli');
    expect(installHint('xdpdump', 'unknown')).toBe('Debian/Ubuntu: apt-get install xdp-tools; Fedora/RHEL: dnf install xdp-tools');
  });

  it('finds root tools in sbin even when PATH lacks it', () => {
    expect(onPath('ip', '/nonexistent')).toBe(true); // /usr/sbin/ip on this machine
    expect(onPath('xdp-doctor-no-such-tool', '/usr/bin')).toBe(false);
  });
});
