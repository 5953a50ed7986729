// `lab down`: removes everything of one prefix: the echo server, the namespaces (their veths and attached
// programs go with them), the pins under /sys/fs/bpf/PREFIX and the state file. It works from the state file
// when there is one and also finds leftovers without it, so it cleans up after a crash and is safe to repeat.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Exec } from '../tools/exec.js';
import { createIp } from '../tools/ip.js';
import { readState, removeState, statePath } from './state.js';
import { runStep } from './steps.js';
import { allNamespaces, pinDir } from './topology.js';
import type { Log } from './up.js';

/** Echo servers of this prefix: the recorded pid (if it is still our echo server) and any found by its marker. */
export function findEchoServers(prefix: string, recorded?: number): number[] {
  const pids = new Set<number>();
  const isOurs = (pid: number) => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const i = argv.indexOf('--lab');
      return argv.some((a) => a.endsWith('echo-server.js')) && i >= 0 && argv[i + 1] === prefix;
    } catch {
      return false;
    }
  };
  // A recorded pid is killed only if it still is our echo server: pids get reused.
  if (recorded && isOurs(recorded)) pids.add(recorded);
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && isOurs(Number(entry))) pids.add(Number(entry));
  }
  return [...pids];
}

async function killAndWait(pid: number): Promise<void> {
  // A killed server may linger as a zombie until its adoptive parent reaps it (slowly, on these VMs): dead is dead.
  const alive = () => {
    try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
  };
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  for (let i = 0; i < 40 && alive(); i++) await new Promise((r) => setTimeout(r, 25));
  if (alive()) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

export async function labDown(exec: Exec, prefix: string, log: Log): Promise<{ removedSomething: boolean }> {
  const state = readState(prefix);
  let removed = false;

  // First the server: it holds the real's namespace open, and with it r0 and its program.
  for (const pid of findEchoServers(prefix, state?.echoPid)) {
    await killAndWait(pid);
    log(`  stopped echo server (pid ${pid})`);
    removed = true;
  }

  const ours = new Set(allNamespaces(prefix));
  const present = (await createIp(exec).netnsNames({ strict: true })).filter((n) => ours.has(n));
  await Promise.all(present.map((n) => runStep(exec, { argv: ['ip', 'netns', 'del', n] })));
  if (present.length) { log(`  deleted namespaces ${present.join(', ')}`); removed = true; }

  const dir = pinDir(prefix);
  if (existsSync(dir)) {
    rmSync(dir, { recursive: true, force: true });
    log(`  removed pins under ${dir}`);
    removed = true;
  }

  if (existsSync(statePath(prefix))) { removeState(prefix); removed = true; }
  return { removedSomething: removed };
}
