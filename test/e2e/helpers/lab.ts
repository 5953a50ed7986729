// Lab-specific e2e helpers: read what the lab left on the machine, to prove `lab down` removed it.
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { labStatePath } from '../../../src/state-dirs.js';

export function labState(prefix: string): any | undefined {
  // The test file's own run dir (test/setup/state-dirs.ts), which the CLIs it starts inherit.
  const p = labStatePath(prefix);
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : undefined;
}

export async function netnsOfPrefix(prefix: string): Promise<string[]> {
  const r = await execa('ip', ['-j', 'netns', 'list'], { reject: false });
  const text = String(r.stdout).trim();
  const names = text ? (JSON.parse(text) as { name: string }[]).map((n) => n.name) : [];
  return names.filter((n) => n.startsWith(`${prefix}-`));
}

/** Alive and not a zombie: a killed process may wait a while for its reaper on these VMs. */
export function processAlive(pid: number): boolean {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

/** Program ids still loaded; attached programs are freed asynchronously once their namespace is gone. */
export async function loadedProgIds(): Promise<Set<number>> {
  const r = await execa('bpftool', ['-j', 'prog', 'show'], { reject: false });
  return new Set((JSON.parse(String(r.stdout) || '[]') as { id: number }[]).map((p) => p.id));
}

export async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
