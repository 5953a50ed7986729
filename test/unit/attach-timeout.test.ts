// src/tools/attach-timeout.ts: one attach timeout for the windows and every collector's readiness. The collector
// side on a real process (sleep: never prints the line a collector waits for).
import { describe, expect, it, vi } from 'vitest';
import { realExec } from '../../src/tools/exec.js';
import { attachTimeoutMs, DEFAULT_ATTACH_TIMEOUT_MS } from '../../src/tools/attach-timeout.js';

describe('a collector\'s readiness', () => {
  it('waits XDP_DOCTOR_ATTACH_TIMEOUT_MS when the tool does not set its own', async () => {
    vi.stubEnv('XDP_DOCTOR_ATTACH_TIMEOUT_MS', '1000');
    try {
      const started = Date.now();
      const c = realExec.spawn(['sleep', '30'], { readyWhen: () => false });
      await expect(c.ready).rejects.toThrow('sleep did not attach within 1000 ms');
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      await c.stop(100);
    } finally { vi.unstubAllEnvs(); }
  });

  it('defaults to 20 s', () => {
    expect(DEFAULT_ATTACH_TIMEOUT_MS).toBe(20_000);
    expect(attachTimeoutMs({})).toBe(20_000);
  });
});
