// Reads back what fix-state.ts compares: a namespace's inode (stat of /run/netns/NAME or /proc/PID/ns/net: a
// namespace file's inode is the namespace's identity), and inside it an interface's XDP program (ip -j link),
// a sysctl (sysctl -n) and an ethtool feature (ethtool -k). Commands go through an Exec, so tests inject a fake.
import { stat } from 'node:fs/promises';
import type { NetnsRef } from './types.js';
import type { Exec, RunResult } from '../tools/exec.js';
import { netnsPath } from '../tools/netns.js';
import { parseLinks } from '../tools/ip.js';
import { parseEthtoolFeature, parseSysctlValue, type Fact, type Watch } from './fix-state.js';

export interface StateReaders {
  /** Inode of the namespace file; undefined when it is not there. */
  netnsInode(ref: NetnsRef): Promise<number | undefined>;
  read(watch: Watch, netns?: NetnsRef): Promise<Fact>;
}

const NO_DEVICE = /does not exist|no device|No such device/i;

const why = (r: RunResult) => (r.stderr || r.stdout).trim().split('\n').pop() || `exit ${r.exitCode}`;

export function realStateReaders(
  exec: Exec, inodeOf: (path: string) => Promise<number> = async (p) => (await stat(p)).ino,
): StateReaders {
  return {
    async netnsInode(ref) {
      try { return await inodeOf(netnsPath(ref)); } catch { return undefined; }
    },
    async read(w, netns) {
      if (w.kind === 'xdp') {
        const r = await exec.run(['ip', '-j', 'link', 'show', 'dev', w.iface], { netns, timeoutMs: 5000 });
        if (!r.ok) return NO_DEVICE.test(r.stderr) ? { ...w, exists: false } : { ...w, exists: false, error: why(r) };
        try {
          const link = parseLinks(r.stdout).find((l) => l.ifname === w.iface);
          if (!link) return { ...w, exists: false };
          return { ...w, exists: true, ...(link.xdp ? { progId: link.xdp.progId, mode: link.xdp.mode } : {}) };
        } catch (e) {
          return { ...w, exists: false, error: (e as Error).message };
        }
      }
      if (w.kind === 'sysctl') {
        const r = await exec.run(['sysctl', '-n', w.key], { netns, timeoutMs: 5000 });
        return r.ok ? { ...w, value: parseSysctlValue(r.stdout) } : { ...w, error: why(r) };
      }
      const r = await exec.run(['ethtool', '-k', w.iface], { netns, timeoutMs: 5000 });
      if (!r.ok) return { ...w, error: why(r) };
      const value = parseEthtoolFeature(r.stdout, w.feature);
      return value ? { ...w, value } : { ...w, error: `ethtool -k ${w.iface} does not list ${w.feature}` };
    },
  };
}

/** Every watch read in the fix's namespace, in order (a few commands; sequential keeps the output ordered). */
export async function observe(readers: StateReaders, watches: Watch[], netns?: NetnsRef): Promise<Fact[]> {
  const out: Fact[] = [];
  for (const w of watches) out.push(await readers.read(w, netns));
  return out;
}
