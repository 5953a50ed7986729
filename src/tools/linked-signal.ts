// One abort listener per caller's signal, however many children it owns. execa adds a listener to its
// cancelSignal for each child; a run's or a check's signal shared by more than ten children alive at once
// (collectors, parallel ethtool/ip calls, a plugin's fan-out) trips Node's MaxListenersExceededWarning, which
// lands in the middle of the wizard's frame. Each child gets its own signal instead, fed by a single listener on
// the shared one, and released (that listener removed with the last child) when the child ends.

interface Fanout { children: Set<AbortController>; onAbort(): void }

const fanouts = new WeakMap<AbortSignal, Fanout>();

export interface LinkedSignal {
  /** Aborts when the parent does; undefined without a parent. */
  signal?: AbortSignal;
  /** The child ended: stop listening for it. Safe to call more than once. */
  release(): void;
}

export function linkedSignal(parent?: AbortSignal): LinkedSignal {
  // Already aborted: execa cancels at once, and no listener is added to a signal that will not fire again.
  if (!parent || parent.aborted) return { signal: parent, release: () => undefined };
  let fan = fanouts.get(parent);
  if (!fan) {
    const children = new Set<AbortController>();
    fan = {
      children,
      onAbort: () => {
        fanouts.delete(parent);
        for (const c of children) c.abort(parent.reason);
        children.clear();
      },
    };
    fanouts.set(parent, fan);
    parent.addEventListener('abort', fan.onAbort, { once: true });
  }
  const own = new AbortController();
  fan.children.add(own);
  const f = fan;
  return {
    signal: own.signal,
    release() {
      if (!f.children.delete(own) || f.children.size) return;
      parent.removeEventListener('abort', f.onAbort);
      if (fanouts.get(parent) === f) fanouts.delete(parent);
    },
  };
}

