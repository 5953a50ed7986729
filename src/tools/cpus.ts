// The kernel's CPU list format (/sys/devices/system/cpu/online: "0-3", "0,2-5,8"): a redirect runs on one of
// these CPUs, and drivers that pick their XDP send queue by CPU number refuse it on a CPU at or above their
// queue count — so what matters is the highest online CPU, plus one.

/** CPU numbers in a kernel CPU list, or [] when the text is not one. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return [];
    const lo = Number(m[1]); const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi - lo > 65536) return [];
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return out;
}

/** Highest CPU number plus one: how many send queues a by-CPU driver needs; undefined when unreadable. */
export function cpuSpan(text: string | undefined): number | undefined {
  const cpus = text === undefined ? [] : parseCpuList(text);
  return cpus.length ? Math.max(...cpus) + 1 : undefined;
}
