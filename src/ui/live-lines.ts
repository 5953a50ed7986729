// A running rung's live lines (tcpdump lines, counters), kept to the newest few and shown in batches: a
// trace_pipe flood must not re-render the wizard once per line.
import type { Store } from './store.js';

const KEEP = 40;

export class LiveLines {
  private lines: string[] = [];
  private count = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly store: Store, private readonly flushMs = 60) {}

  /** A new rung started: its lines start from nothing. */
  reset(): void {
    this.lines = [];
    this.count = 0;
  }

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > KEEP) this.lines.splice(0, this.lines.length - KEEP);
    this.count++;
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Shows what came since the last batch on the running rung. */
  flush(): void {
    this.stop();
    const run = this.store.getState().running;
    if (!run || this.count === run.liveTotal) return;
    this.store.set({ running: { ...run, live: [...this.lines], liveTotal: this.count } });
  }

  stop(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
  }
}
