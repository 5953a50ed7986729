// RunEvents into the wizard's state: the plan, the running rung with its progress, probe line and live lines,
// and each finished rung as a row (re-runs replace the rung's record and say why they ran again).
import type { RunEvent } from '../engine/types.js';
import type { LiveLines } from './live-lines.js';
import type { Again } from './state.js';
import type { Store } from './store.js';

export function applyRunEvent(store: Store, live: LiveLines, e: RunEvent, again?: Again): void {
  const s = store.getState();
  if (s.phase === 'done') return; // what an aborted run reports on its way out is not shown
  switch (e.type) {
    case 'run-start':
      if (!again) store.set({ plan: e.checks.map((c) => ({ id: c.id, title: c.title, rung: c.rung, question: c.question })) });
      return;
    case 'check-start': {
      const p = s.plan.find((x) => x.id === e.id);
      live.reset();
      store.set({ running: { id: e.id, title: p?.title ?? e.id, question: p?.question, live: [], liveTotal: 0, startedAt: Date.now(), again } });
      return;
    }
    case 'check-progress':
      if (s.running?.id === e.id) store.set({ running: { ...s.running, progress: e.message } });
      return;
    case 'check-live':
      if (s.running?.id === e.id) live.add(e.line);
      return;
    case 'probe-start':
      if (s.running) store.set({ running: { ...s.running, probe: 'probe: sending traffic…' } });
      return;
    case 'probe-end':
      if (s.running) {
        const o = e.outcome;
        const probe = !o.ran ? `probe: ${o.note ?? 'did not run'}` : `probe ${o.ok ? 'passed' : 'FAILED'}${o.note ? ` (${o.note})` : ''}`;
        store.set({ running: { ...s.running, probe } });
      }
      return;
    case 'check-end': {
      live.flush();
      const r = e.record;
      const now = store.getState();
      const records = [...now.records.filter((x) => x.id !== r.id), r].sort((a, b) => a.rung - b.rung);
      store.push({ kind: 'rung', record: r, question: now.plan.find((x) => x.id === r.id)?.question, again });
      store.set({ records, running: now.running?.id === r.id ? undefined : now.running, focus: r.id });
      return;
    }
    case 'run-end':
      return; // the climb() promise carries the report
  }
}
