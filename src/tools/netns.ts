// A network namespace: how a command names one (NetnsRef) and the argv that enters it. Kept apart from exec.ts
// so the engine can build argv lists without loading the process runner.

/** A network namespace to run a command in: a name under /run/netns, a path, or a process's netns. */
export type NetnsRef =
  | { kind: 'name'; name: string }
  | { kind: 'path'; path: string }
  | { kind: 'pid'; pid: number };

export function netnsPath(ref: NetnsRef): string {
  switch (ref.kind) {
    case 'name': return `/run/netns/${ref.name}`;
    case 'path': return ref.path;
    case 'pid': return `/proc/${ref.pid}/ns/net`;
  }
}

/** The argv that runs `argv` inside `netns`: nsenter keeps the host's /sys (bpffs, tracefs stay visible). */
export function inNetns(argv: string[], netns?: NetnsRef): string[] {
  if (!netns) return argv;
  return ['nsenter', `--net=${netnsPath(netns)}`, '--', ...argv];
}

/** A namespace in a few words: its name, its path, or "pid N"; '' for the host's own. */
export function nsLabel(ns?: NetnsRef): string {
  if (!ns) return '';
  return ns.kind === 'name' ? ns.name : ns.kind === 'path' ? ns.path : `pid ${ns.pid}`;
}

/** The same reference (undefined: the host's namespace). Two different references may still name one namespace. */
export function sameNetns(a?: NetnsRef, b?: NetnsRef): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
