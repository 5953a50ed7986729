// The start screen's state: the choices the engine's discovery found (src/target), and the one selected.
import { choicesOf } from '../target/choices.js';
import type { Store } from './store.js';
import type { WizardEngine } from './wizard-engine.js';

export async function loadChoices(store: Store, engine: WizardEngine, signal: AbortSignal, preferLab?: string): Promise<void> {
  store.set({ start: { loading: true, choices: [], selected: 0, problems: [], namespaces: 0 } });
  try {
    const d = await engine.discover(signal);
    if (store.getState().phase !== 'start') return;
    const { choices, selected } = choicesOf(d, preferLab);
    store.set({ start: { loading: false, choices, selected, problems: d.problems, namespaces: d.namespaces } });
  } catch (e) {
    if (store.getState().phase !== 'start') return;
    store.set({ start: { loading: false, choices: [], selected: 0, problems: [], namespaces: 0, error: `could not look for XDP programs: ${(e as Error).message}` } });
  }
}

export function selectTarget(store: Store, delta: number): void {
  const s = store.getState().start;
  if (!s || !s.choices.length) return;
  const selected = Math.min(s.choices.length - 1, Math.max(0, s.selected + delta));
  if (selected !== s.selected) store.set({ start: { ...s, selected, error: undefined } });
}
