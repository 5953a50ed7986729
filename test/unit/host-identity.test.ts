// src/engine/host-identity.ts: the report's host identity from files and `ethtool -i` recorded on this machine
// (machine-id and boot_id as read here, the lab's l0 veth, lo which has no driver information).
import { describe, expect, it } from 'vitest';
import { fakeExec } from '../../src/plugins/testing.js';
import { readHostIdentity } from '../../src/engine/host-identity.js';
import { createFacts } from '../../src/engine/facts.js';
import type { Files } from '../../src/tools/files.js';
import { realFiles } from '../../src/tools/files.js';
import type { Target } from '../../src/engine/types.js';
import { recording } from './helpers/recordings.js';

const target: Target = { kind: 'iface', iface: 'l0', netns: { kind: 'name', name: 'xdpd-lb' }, hops: [], windowMs: 100, expect: [] };
const files = (m: Record<string, string>): Files => ({ ...realFiles, read: async (p) => m[p] });
const hostFiles = files({
  '/etc/machine-id': recording('host/etc-machine-id.txt'),
  '/proc/sys/kernel/random/boot_id': recording('host/proc-boot-id.txt'),
});
const fixed = { hostname: () => 'vm', kernel: () => '6.18.44-fc-v1045', tool: { name: 'xdp-doctor', version: '0.1.0' } };

describe('readHostIdentity', () => {
  it('names the host, its boot, the NIC driver of the target in its namespace and the program inventory found', async () => {
    const exec = fakeExec([{ argv: ['ethtool', '-i', 'l0'], netns: 'xdpd-lb', stdout: recording('ethtool/driver-veth-l0.txt') }]);
    const facts = createFacts();
    // As the inventory rung found the lab's program in test/recordings/reports/lab-veth-peer.json.
    facts.set('inventory', { iface: 'l0', ifindex: 3, progId: 527, progName: 'xdp_prog_func', tag: '45f330cfe0b3cd65', maps: [] });
    const id = await readHostIdentity({ exec, files: hostFiles, target, facts, ...fixed });
    expect(id).toEqual({
      hostname: 'vm',
      machineId: recording('host/etc-machine-id.txt').trim(),
      bootId: recording('host/proc-boot-id.txt').trim(),
      kernel: '6.18.44-fc-v1045',
      nic: { iface: 'l0', driver: 'veth', driverVersion: '1.0' },
      program: { id: 527, name: 'xdp_prog_func', tag: '45f330cfe0b3cd65' },
      xdpDoctor: '0.1.0',
    });
    expect(id.machineId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps the firmware and bus of a PCI NIC (virtio_net: bus-info set, firmware empty)', async () => {
    const exec = fakeExec([{ argv: ['ethtool', '-i', 'l0'], stdout: recording('ethtool/driver-virtio-net-eth0.txt') }]);
    const id = await readHostIdentity({ exec, files: hostFiles, target, facts: createFacts(), ...fixed });
    expect(id.nic).toEqual({ iface: 'l0', driver: 'virtio_net', driverVersion: '1.0.0', busInfo: '0000:00:03.0' });
    expect(id.program).toBeUndefined();
  });

  it('says why the NIC could not be read, and leaves out files that are missing', async () => {
    const exec = fakeExec([{ argv: ['ethtool', '-i', 'l0'], stderr: recording('ethtool/driver-lo-stderr.txt'), exitCode: 71 }]);
    const id = await readHostIdentity({ exec, files: files({}), target, facts: createFacts(), ...fixed });
    expect(id.nic).toEqual({ iface: 'l0', error: 'Cannot get driver information: Operation not supported' });
    expect(id).not.toHaveProperty('machineId');
    expect(id).not.toHaveProperty('bootId');
  });

  it('a missing ethtool or a failing Exec is the NIC error, never a failed run', async () => {
    const missing = fakeExec([{ argv: ['ethtool', '-i', 'l0'], notFound: true }]);
    expect((await readHostIdentity({ exec: missing, files: hostFiles, target, facts: createFacts(), ...fixed })).nic)
      .toEqual({ iface: 'l0', error: 'ethtool: command not found' });
    const none = fakeExec([]);
    const id = await readHostIdentity({ exec: none, files: hostFiles, target, facts: createFacts(), ...fixed });
    expect(id.nic?.error).toMatch(/no recording/);
  });

  it('--dry-run asks no NIC', async () => {
    const exec = fakeExec([]);
    const id = await readHostIdentity({ exec, files: hostFiles, target, facts: createFacts(), dryRun: true, ...fixed });
    expect(exec.calls).toEqual([]);
    expect(id.nic).toBeUndefined();
  });
});
