// When is the story complete? While the probe runs, collectors report what they see (a probe packet leaving the
// sender, a reply coming back, the program's verdict, a loss signal). The window ends early once every probe
// packet sent so far is accounted for and nothing new arrived for a settle time. Pure: the decision is tested on
// recorded sightings (test/unit/story.test.ts); the window only asks it.

/** What one collector saw, as it saw it. Counts, not packets: memory stays bounded on a flood. */
export type Sighting =
  /** A collector that can report `what` is listening (reported once, when it is attached). */
  | { kind: 'listening'; what: 'sent' | 'verdicts' }
  /** A packet of the probe's flow left the sender towards the destination. */
  | { kind: 'sent' }
  /** A packet of the flow came back to the sender: the flow is not (entirely) lost; the probe ends on its own. */
  | { kind: 'reply' }
  /** The XDP program's verdict for one packet ("XDP_TX", "XDP_PASS", ...). */
  | { kind: 'verdict'; action: string }
  /**
   * A loss explained: an xdp:* tracepoint error (`xdp-error`) or a kernel drop of the flow on the route
   * (`drop`). `what` is for the outcome's note.
   */
  | { kind: 'signal'; source: 'xdp-error' | 'drop'; what: string };

interface StoryTally {
  listening: { sent: boolean; verdicts: boolean };
  sent: number;
  replies: number;
  verdicts: Record<string, number>;
  signals: { source: 'xdp-error' | 'drop'; what: string }[];
  /** performance.now() of the last sighting that changed the tally; undefined before the first. */
  lastAt?: number;
}

export const emptyTally = (): StoryTally => ({ listening: { sent: false, verdicts: false }, sent: 0, replies: 0, verdicts: {}, signals: [] });

/** At most this many distinct signals are kept (collectors report first sightings only; this is a backstop). */
const MAX_SIGNALS = 32;

/** The tally after one more sighting (mutates and returns t). */
export function record(t: StoryTally, s: Sighting, now: number): StoryTally {
  switch (s.kind) {
    case 'listening': t.listening[s.what] = true; return t; // not news about packets: does not reset the settle
    case 'sent': t.sent++; break;
    case 'reply': t.replies++; break;
    case 'verdict': t.verdicts[s.action] = (t.verdicts[s.action] ?? 0) + 1; break;
    case 'signal':
      if (t.signals.some((x) => x.source === s.source && x.what === s.what)) return t;
      if (t.signals.length < MAX_SIGNALS) t.signals.push({ source: s.source, what: s.what });
      break;
  }
  t.lastAt = now;
  return t;
}

/** Verdicts the program's own return explains: it dropped the packet itself (ABORTED also fires xdp_exception). */
const SELF_EXPLAINED = new Set(['XDP_DROP', 'XDP_ABORTED']);
/** Verdicts that hand the packet on without the stack (a failure shows as an xdp:* error or a later drop). */
const SENT_ON = new Set(['XDP_TX', 'XDP_REDIRECT']);

interface StoryVerdict {
  complete: boolean;
  /** Why (not yet), in words: for the outcome's note and for tests. */
  why: string;
}

/**
 * Complete when: a sender-side collector listens; at least one probe packet was sent; no reply came back (a flow
 * that gets replies ends on its own, and cutting it short would fake a loss); with a live verdict collector, every
 * sent packet has a verdict, or the kernel's drop explains those without one, and every verdict that lost its
 * packet is explained (DROP/ABORTED by itself, TX/REDIRECT by an xdp:* error or a drop, PASS by a drop); without
 * one, a loss signal explains them; and nothing new was seen for settleMs.
 */
export function storyComplete(t: StoryTally, now: number, settleMs: number): StoryVerdict {
  if (!t.listening.sent) return no('no collector sees the probe\'s packets leave the sender');
  if (t.sent === 0) return no('no probe packet seen yet');
  if (t.replies > 0) return no('replies are coming back: the probe ends on its own');
  if (!t.listening.verdicts) {
    // No verdicts as they happen (xdpdump cannot attach; the replay comes after the window): the kernel's own
    // account of the loss (an xdp:* error on the target, a drop on the route) is what explains the packets.
    if (!t.signals.length) return no(`${t.sent} packet(s) sent, no verdicts as they happen and no signal that explains the loss`);
    return settled(t, now, settleMs, `no live verdicts; ${t.signals.map((s) => s.what).join(', ')}`);
  }
  const counts = Object.entries(t.verdicts);
  const verdicted = counts.reduce((n, [, c]) => n + c, 0);
  const drops = t.signals.filter((s) => s.source === 'drop').length;
  const xdpErrors = t.signals.filter((s) => s.source === 'xdp-error').length;
  if (verdicted < t.sent && !drops) return no(`${t.sent - verdicted} of ${t.sent} packet(s) sent have no verdict and no drop explains them`);
  for (const [action, n] of counts) {
    if (SELF_EXPLAINED.has(action)) continue;
    if (SENT_ON.has(action) ? xdpErrors + drops > 0 : drops > 0) continue;
    return no(`${n} ${action} verdict(s) without a signal that explains the loss`);
  }
  return settled(t, now, settleMs, [...counts.map(([a, n]) => `${a} ×${n}`), ...t.signals.map((s) => s.what)].join(', '));
}

function settled(t: StoryTally, now: number, settleMs: number, because: string): StoryVerdict {
  const quiet = now - (t.lastAt ?? now);
  if (quiet < settleMs) return no(`settling (${Math.round(quiet)} of ${settleMs} ms quiet)`);
  return { complete: true, why: `${t.sent} probe packet(s) sent, each accounted for (${because})` };
}

const no = (why: string): StoryVerdict => ({ complete: false, why });

/** How long nothing new must be seen before the story counts as complete. */
export const DEFAULT_SETTLE_MS = 300;
