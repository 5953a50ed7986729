// The probe window: every check that observes traffic attaches its collectors, then calls ready().
// When all expected participants are attached (or have left), the probe fires once; after it, a short
// drain lets collectors catch trailing packets, and every participant gets the same outcome.
import type { ProbeOutcome, ProbeWindow } from './types.js';

export interface WindowOptions {
  participants: number;
  /** Fires the traffic. Absent: the window is passive and lasts passiveMs. */
  fire?: () => Promise<ProbeOutcome>;
  passiveMs: number;
  /** After the probe, collectors keep listening this long for late packets and trace lines. */
  drainMs?: number;
  /** Participants that never attach do not hold the probe back longer than this. */
  attachTimeoutMs?: number;
  onStart?(): void;
  onEnd?(outcome: ProbeOutcome): void;
  signal?: AbortSignal;
}

export interface SharedWindow {
  window: ProbeWindow;
  /** A participant ended without calling ready() (skipped, failed, crashed): do not wait for it. */
  leave(): void;
  outcome: Promise<ProbeOutcome>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

export function createWindow(opts: WindowOptions): SharedWindow {
  let arrived = 0;
  let fired = false;
  let resolveOutcome!: (o: ProbeOutcome) => void;
  const outcome = new Promise<ProbeOutcome>((r) => { resolveOutcome = r; });
  let attachTimer: NodeJS.Timeout | undefined;

  const maybeFire = () => {
    if (fired || arrived < opts.participants) return;
    fired = true;
    if (attachTimer) clearTimeout(attachTimer);
    void fire();
  };

  const fire = async () => {
    opts.onStart?.();
    const startedAt = Date.now();
    let result: ProbeOutcome;
    try {
      if (opts.fire) {
        result = await opts.fire();
      } else {
        await sleep(opts.passiveMs, opts.signal);
        result = { ran: false, ok: true, startedAt, endedAt: Date.now(), note: `passive window of ${opts.passiveMs} ms (no probe)` };
      }
    } catch (e) {
      result = { ran: false, ok: false, startedAt, endedAt: Date.now(), note: `probe could not run: ${(e as Error).message}` };
    }
    await sleep(opts.drainMs ?? 400, opts.signal);
    opts.onEnd?.(result);
    resolveOutcome(result);
  };

  if (opts.attachTimeoutMs !== undefined) {
    attachTimer = setTimeout(() => { arrived = opts.participants; maybeFire(); }, opts.attachTimeoutMs);
    attachTimer.unref();
  }
  if (opts.participants === 0) maybeFire();

  return {
    window: {
      ready() {
        arrived++;
        maybeFire();
        return outcome;
      },
    },
    leave() {
      arrived++;
      maybeFire();
    },
    outcome,
  };
}
