// The one attach timeout: how long anything waits for a collector to attach — the shared probe window, the
// wizard's stepped window, and each collector's own readiness (tcpdump, bpftrace, xdpdump, trace_pipe). One
// setting, so a slow machine raises all of them at once.

/**
 * 20 s, or XDP_DOCTOR_ATTACH_TIMEOUT_MS (1 s .. 10 min) on slow machines — under qemu's TCG bpftrace's compile and
 * attach of the xdp tracepoints alone can take 10-25 s (test:kernels, docs/kernels.md).
 */
export function attachTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.XDP_DOCTOR_ATTACH_TIMEOUT_MS);
  return Number.isInteger(v) && v >= 1000 && v <= 600_000 ? v : DEFAULT_ATTACH_TIMEOUT_MS;
}

export const DEFAULT_ATTACH_TIMEOUT_MS = 20_000;
