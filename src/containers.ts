// --container NAME: the network namespace of a container, by the pid its runtime reports, for docker, podman
// and CRI runtimes (crictl). Each runtime that is installed is asked in turn; the first that knows the name
// wins. The error says which runtimes were asked and what each said, or that none is installed.
import type { NetnsRef } from './engine/types.js';
import type { Exec } from './tools/exec.js';

export class ContainerError extends Error {}

interface Runtime { name: string; lookup(exec: Exec, name: string): Promise<{ pid?: number; said?: string; missing?: boolean }> }

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';
const pidOf = (s: string) => { const n = Number(s.trim()); return Number.isInteger(n) && n > 0 ? n : undefined; };

/** docker and podman answer the same inspect template. */
const inspecting = (bin: string): Runtime => ({
  name: bin,
  async lookup(exec, name) {
    const r = await exec.run([bin, 'inspect', '--format', '{{.State.Pid}}', name], { timeoutMs: 10_000 });
    if (r.notFound) return { missing: true };
    const pid = r.ok ? pidOf(r.stdout) : undefined;
    return pid ? { pid } : { said: firstLine(r.stderr) || firstLine(r.stdout) || `exit ${r.exitCode}` };
  },
});

/** CRI (containerd, CRI-O): the id by name, then the pid from the runtime's info. */
const crictl: Runtime = {
  name: 'crictl',
  async lookup(exec, name) {
    const ps = await exec.run(['crictl', 'ps', '--name', `^${name}$`, '-q'], { timeoutMs: 10_000 });
    if (ps.notFound) return { missing: true };
    const id = ps.ok ? firstLine(ps.stdout) : '';
    if (!id) return { said: ps.ok ? 'no running container by that name' : firstLine(ps.stderr) || `exit ${ps.exitCode}` };
    const r = await exec.run(['crictl', 'inspect', '--output', 'go-template', '--template', '{{.info.pid}}', id], { timeoutMs: 10_000 });
    const pid = r.ok ? pidOf(r.stdout) : undefined;
    return pid ? { pid } : { said: firstLine(r.stderr) || `crictl inspect ${id}: no pid` };
  },
};

const RUNTIMES: readonly Runtime[] = [inspecting('docker'), inspecting('podman'), crictl];

export async function containerNetns(exec: Exec, name: string, runtimes: readonly Runtime[] = RUNTIMES): Promise<NetnsRef> {
  const said: string[] = [];
  for (const rt of runtimes) {
    const r = await rt.lookup(exec, name);
    if (r.pid) return { kind: 'pid', pid: r.pid };
    if (!r.missing) said.push(`${rt.name}: ${r.said}`);
  }
  if (!said.length) {
    throw new ContainerError(`--container ${name}: no container runtime is installed (looked for ${runtimes.map((r) => r.name).join(', ')}); use --netns /proc/PID/ns/net with a process of the container`);
  }
  throw new ContainerError(`--container ${name}: not found (${said.join('; ')})`);
}
