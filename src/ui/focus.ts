// Which finished rung the keys act on (↑↓), and the details pager over it (d, scrolling, Esc).
import type { Store } from './store.js';

export function moveFocus(store: Store, delta: number): void {
  const s = store.getState();
  const recs = s.records;
  if (!recs.length) return;
  const i = recs.findIndex((r) => r.id === s.focus);
  const j = Math.min(recs.length - 1, Math.max(0, (i < 0 ? recs.length - 1 : i) + delta));
  store.set({ focus: recs[j]!.id, overlay: s.overlay?.kind === 'details' ? { kind: 'details', id: recs[j]!.id, scroll: 0 } : s.overlay });
}

export function toggleDetails(store: Store): void {
  const s = store.getState();
  if (s.overlay?.kind === 'details' || !s.focus) { store.set({ overlay: undefined }); return; }
  store.set({ overlay: { kind: 'details', id: s.focus, scroll: 0 } });
}

export function scrollDetails(store: Store, delta: number, total: number, page: number): void {
  const o = store.getState().overlay;
  if (o?.kind !== 'details') return;
  const scroll = Math.max(0, Math.min(Math.max(0, total - page), o.scroll + delta));
  if (scroll !== o.scroll) store.set({ overlay: { ...o, scroll } });
}
