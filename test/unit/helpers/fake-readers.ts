// StateReaders without a system: namespace inodes and watched values from a mutable table, so a test can apply a
// fix, then "tear the lab down and build it again" or "re-attach a program" by editing the table.
import type { StateReaders } from '../../../src/engine/fix-state-readers.js';
import type { Fact, NetnsId, Watch } from '../../../src/engine/fix-state.js';
import type { NetnsRef } from '../../../src/engine/types.js';
import { netnsPath } from '../../../src/tools/netns.js';

export interface FakeSystem {
  /** netns path → inode (or inode and birth); absent: the namespace is gone. */
  inodes: Record<string, number | NetnsId>;
  /** `${netnsPath or 'host'} ${iface}` → prog id (null: no program); absent: no such device. */
  xdp: Record<string, { progId: number | null; mode?: string }>;
  /** `${netnsPath or 'host'} ${key}` → value. */
  values: Record<string, string>;
}

export function fakeSystem(init: Partial<FakeSystem> = {}): FakeSystem & { readers: StateReaders; reads: string[] } {
  const sys = { inodes: {}, xdp: {}, values: {}, ...init };
  const reads: string[] = [];
  const where = (ns?: NetnsRef) => (ns ? netnsPath(ns) : 'host');
  const readers: StateReaders = {
    async netnsIdentity(ref) {
      const id = sys.inodes[netnsPath(ref)];
      return typeof id === 'number' ? { inode: id } : id;
    },
    async read(w: Watch, ns?: NetnsRef): Promise<Fact> {
      reads.push(`${where(ns)} ${w.kind} ${w.kind === 'sysctl' ? w.key : w.iface}`);
      if (w.kind === 'xdp') {
        const x = sys.xdp[`${where(ns)} ${w.iface}`];
        if (!x) return { ...w, exists: false };
        return { ...w, exists: true, ...(x.progId !== null ? { progId: x.progId, mode: x.mode ?? 'native' } : {}) };
      }
      const key = `${where(ns)} ${w.kind === 'sysctl' ? w.key : `${w.iface} ${w.feature}`}`;
      return key in sys.values ? { ...w, value: sys.values[key] } : { ...w, error: 'no such key' };
    },
  };
  return Object.assign(sys, { readers, reads });
}
