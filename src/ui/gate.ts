// The pace of the wizard's ladder: runLadder asks before each rung; the operator answers with Enter (run),
// s (skip) or a (run this and every rung after it without asking: the engine then runs the rest as the CLI does).
import type { GateAnswer } from '../engine/runner.js';
import type { Store } from './store.js';

export class Gate {
  private waiting?: (v: GateAnswer) => void;
  private askedOnce = false;

  constructor(private readonly store: Store, private readonly signal: AbortSignal) {}

  /** runLadder's gate: resolves when the operator says so. */
  ask = (id: string): Promise<GateAnswer> => {
    if (this.signal.aborted) return Promise.resolve('skip');
    if (this.store.getState().auto) return Promise.resolve('all');
    // The operator chose the target with Enter: the first rung runs at once; then one rung per key.
    if (!this.askedOnce) { this.askedOnce = true; return Promise.resolve('run'); }
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.store.set({ next: this.store.getState().plan.find((p) => p.id === id) ?? { id, title: id, rung: 0 } });
    });
  };

  /** Answers the waiting question; false when nothing waits or a re-run or fix is busy. */
  answer(v: GateAnswer): boolean {
    const r = this.waiting;
    if (!r || this.store.getState().busy) return false;
    this.waiting = undefined;
    this.store.set({ next: undefined, overlay: undefined, notice: undefined });
    r(v);
    return true;
  }

  /** The ladder is over or aborted: a question still open is answered skip, without touching the state. */
  close(): void {
    const r = this.waiting;
    this.waiting = undefined;
    r?.('skip');
  }

  /** The ladder ended: nothing waits any more. */
  forget(): void { this.waiting = undefined; }
}
