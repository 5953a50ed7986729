// The session's state as an external store for useSyncExternalStore: a snapshot, replaced (never mutated)
// on every change, and the listeners to tell.
import type { NewItem, StaticItem, WizardState } from './state.js';

export class Store {
  private state: WizardState;
  private listeners = new Set<() => void>();
  private seq = 0;

  constructor(initial: WizardState) { this.state = initial; }

  getState = (): WizardState => this.state;
  subscribe = (fn: () => void): (() => void) => { this.listeners.add(fn); return () => { this.listeners.delete(fn); }; };

  set(patch: Partial<WizardState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  /** Appends a finished row to what <Static> prints; keys are unique for the session. */
  push(item: NewItem): void {
    this.set({ items: [...this.state.items, { ...item, key: `i${this.seq++}` } as StaticItem] });
  }
}
