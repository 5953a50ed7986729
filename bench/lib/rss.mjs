// Memory of a running process, polled from /proc while it runs.
//   nodeHwmKb: VmHWM of the process itself — the kernel's own high-water mark of its resident set, so a peak
//              between two polls is not missed; only growth after the last poll before exit could be.
//   treeRssKb: the largest sum, at one poll, of VmRSS over the process and all its descendants (tcpdump,
//              bpftrace, …). Sampled, and pages shared between processes count once per process: context only.
import { readFileSync, readdirSync } from 'node:fs';

function statusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function descendants(pid, out = []) {
  let tasks = [];
  try { tasks = readdirSync(`/proc/${pid}/task`); } catch { return out; }
  for (const tid of tasks) {
    let kids = '';
    try { kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8'); } catch { continue; }
    for (const k of kids.split(' ').filter(Boolean)) {
      out.push(Number(k));
      descendants(Number(k), out);
    }
  }
  return out;
}

export function watchRss(pid, intervalMs = 20) {
  let nodeHwmKb;
  let treeRssKb = 0;
  let treeAt;
  let samples = 0;
  const t0 = performance.now();
  const poll = () => {
    const hwm = statusKb(pid, 'VmHWM');
    if (hwm === undefined) return;
    samples++;
    nodeHwmKb = Math.max(nodeHwmKb ?? 0, hwm);
    const tree = [pid, ...descendants(pid)].reduce((s, p) => s + (statusKb(p, 'VmRSS') ?? 0), 0);
    if (tree > treeRssKb) { treeRssKb = tree; treeAt = performance.now() - t0; }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { nodeHwmKb, treeRssKb, treeAtMs: treeAt, samples };
    },
  };
}
