// Reads back what fix-state.ts compares: a namespace's identity (stat of /run/netns/NAME or /proc/PID/ns/net:
// the nsfs inode, and when it was made: see NetnsId), and inside it an interface's XDP program (ip -j link),
// a sysctl (sysctl -n) and an ethtool feature (ethtool -k). Commands go through an Exec, so tests inject a fake.
import { readFile, stat } from 'node:fs/promises';
import type { NetnsRef } from './types.js';
import type { Exec, RunResult } from '../tools/exec.js';
import { netnsPath } from '../tools/netns.js';
import { parseLinks } from '../tools/ip.js';
import { parseEthtoolFeature, parseProcStartTime, parseSysctlValue, type Fact, type NetnsId, type Watch } from './fix-state.js';

export interface StateReaders {
  /** Undefined when the namespace file is not there. */
  netnsIdentity(ref: NetnsRef): Promise<NetnsId | undefined>;
  read(watch: Watch, netns?: NetnsRef): Promise<Fact>;
}

/** The two file reads netnsIdentity makes; tests inject them. */
interface NetnsFiles {
  stat(path: string): Promise<{ ino: number; ctimeNs: bigint }>;
  readFile(path: string): Promise<string>;
}

const realNetnsFiles: NetnsFiles = {
  async stat(p) { const s = await stat(p, { bigint: true }); return { ino: Number(s.ino), ctimeNs: s.ctimeNs }; },
  readFile: (p) => readFile(p, 'utf8'),
};

const NO_DEVICE = /does not exist|no device|No such device/i;

const why = (r: RunResult) => (r.stderr || r.stdout).trim().split('\n').pop() || `exit ${r.exitCode}`;

export function realStateReaders(exec: Exec, files: NetnsFiles = realNetnsFiles): StateReaders {
  return {
    async netnsIdentity(ref) {
      const path = netnsPath(ref);
      let st;
      try { st = await files.stat(path); } catch { return undefined; }
      const pid = ref.kind === 'pid' ? ref.pid : /^\/proc\/(\d+)\/ns\/net$/.exec(path)?.[1];
      if (pid === undefined) return { inode: st.ino, born: `ctime ${st.ctimeNs}` };
      const started = await files.readFile(`/proc/${pid}/stat`).then(parseProcStartTime, () => undefined);
      return { inode: st.ino, ...(started ? { born: `pid ${pid} started ${started}` } : {}) };
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
