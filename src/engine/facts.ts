import type { Facts } from './types.js';

/** A small shared store: one check publishes (inventory → program, maps, peer), later ones read. */
export function createFacts(initial: Record<string, unknown> = {}): Facts & { all(): Record<string, unknown> } {
  const store = new Map<string, unknown>(Object.entries(initial));
  return {
    get: <T>(key: string) => store.get(key) as T | undefined,
    set: (key, value) => { store.set(key, value); },
    all: () => Object.fromEntries(store),
  };
}
