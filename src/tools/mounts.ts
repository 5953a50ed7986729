// /proc/mounts (or /proc/self/mounts), read as "device mountpoint fstype options ...": whether a kernel file
// system is where the tools expect it. Used by the preflight rung, trace-pipe and the lab.

export const mountedAs = (mounts: string, point: string, fstype: string) =>
  mounts.split('\n').some((l) => { const f = l.split(' '); return f[1] === point && f[2] === fstype; });

/** Options of the last mount on `point` (the one in effect when several are stacked). */
export function mountOptions(mounts: string, point: string): string[] {
  const line = mounts.split('\n').reverse().find((l) => l.split(' ')[1] === point);
  return line?.split(' ')[3]?.split(',') ?? [];
}
