// The probe window: every check that observes traffic attaches its collectors, then calls ready().
// When all expected participants are attached (or have left), the probe fires once; after it, a short
// drain lets collectors catch trailing packets, and every participant gets the same outcome.
import type { ProbeOutcome, ProbeWindow } from './types.js';
import { emptyTally, record, storyComplete, type Sighting } from './story.js';

interface WindowOptions {
  participants: number;
  /**
   * Fires the traffic. Absent: the window is passive and lasts passiveMs. `stop` aborts when the story is complete
   * (see earlyStop): the probe is ours to end.
   */
  fire?: (stop: AbortSignal) => Promise<ProbeOutcome>;
  /**
   * Given, the probe is stopped as soon as the collectors' sightings account for every probe packet sent so far
   * and nothing new came for settleMs (engine/story.ts). Absent (--full-window, --window): the probe runs its course.
   */
  earlyStop?: { settleMs: number; pollMs?: number };
  passiveMs: number;
  /** After the probe, collectors keep listening at most this long for late packets and trace lines. */
  drainMs?: number;
  /**
   * When a collector last printed (performance.now() ms). Given, the drain ends as soon as collectors have been
   * quiet for quietMs after the probe (never later than drainMs); absent, the drain is the full drainMs.
   */
  lastOutputAt?(): number | undefined;
  quietMs?: number;
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
  /** A collector's sighting while the window is open (see ProbeWindow.saw). */
  saw(s: Sighting): void;
  outcome: Promise<ProbeOutcome>;
}

/**
 * Waits ms, or less if the signal aborts. The abort listener is removed when the timer wins: the signal is the
 * run's, it outlives every window, and the drain sleeps several times per window, so a listener left behind per
 * sleep piled up on it (Node's "11 abort listeners added to [AbortSignal]" warning in the wizard).
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => { clearTimeout(t); resolve(); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
const sleep = abortableSleep;

/**
 * The wait after the probe. Late packets and trace lines reach the collectors within milliseconds (tcpdump's
 * kernel timestamps are all at or before the probe's end on the lab, healthy or broken), so waiting out the whole
 * drainMs is mostly idle time: stop once no collector has printed for quietMs, counted from the probe's end or
 * the last line, whichever is later. Output that keeps coming extends the drain up to drainMs.
 */
async function drain(opts: WindowOptions): Promise<void> {
  const cap = opts.drainMs ?? DEFAULT_DRAIN_MS;
  if (!opts.lastOutputAt) return sleep(cap, opts.signal);
  const quiet = Math.min(opts.quietMs ?? DEFAULT_QUIET_MS, cap);
  const start = performance.now();
  for (;;) {
    if (opts.signal?.aborted) return;
    const now = performance.now();
    const left = cap - (now - start);
    const quietFor = now - Math.max(start, opts.lastOutputAt() ?? 0);
    if (left <= 0 || quietFor >= quiet) return;
    await sleep(Math.min(quiet - quietFor, left), opts.signal);
  }
}

const DEFAULT_DRAIN_MS = 400;
const DEFAULT_QUIET_MS = 100;

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

  const tally = emptyTally();
  let probing = false;

  const fire = async () => {
    opts.onStart?.();
    const startedAt = Date.now();
    let result: ProbeOutcome;
    try {
      if (opts.fire) {
        probing = true;
        const watch = opts.earlyStop ? watchStory(opts.earlyStop) : undefined;
        try {
          result = await opts.fire(watch?.signal ?? new AbortController().signal);
        } finally {
          probing = false;
          watch?.dispose();
        }
        if (watch?.stoppedBecause() && !result.ok) result = { ...result, early: { afterMs: result.endedAt - result.startedAt, why: watch.stoppedBecause()! } };
      } else {
        await sleep(opts.passiveMs, opts.signal);
        result = { ran: false, ok: true, startedAt, endedAt: Date.now(), note: `passive window of ${opts.passiveMs} ms (no probe)` };
      }
    } catch (e) {
      result = { ran: false, ok: false, startedAt, endedAt: Date.now(), note: `probe could not run: ${(e as Error).message}` };
    }
    await drain(opts);
    opts.onEnd?.(result);
    resolveOutcome(result);
  };

  /** Asks the story every pollMs while the probe runs; aborts `signal` once it is complete. */
  const watchStory = (e: { settleMs: number; pollMs?: number }) => {
    const stop = new AbortController();
    let why: string | undefined;
    const timer = setInterval(() => {
      const v = storyComplete(tally, performance.now(), e.settleMs);
      if (!v.complete || stop.signal.aborted) return;
      why = v.why;
      stop.abort(new Error(`story complete: ${v.why}`));
    }, e.pollMs ?? 25);
    return { signal: stop.signal, stoppedBecause: () => why, dispose: () => clearInterval(timer) };
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
    saw(s) {
      // 'listening' is announced before the probe; packets count only while it runs (not the drain's stragglers).
      if (s.kind === 'listening' || probing) record(tally, s, performance.now());
    },
    outcome,
  };
}
