// The shape of one cause the knowledge base knows: its own module, so the lists of causes (causes.ts, and the
// attach causes it includes) import it without importing each other.
import type { Severity } from '../engine/types.js';

export interface CauseInfo {
  id: string;
  title: string;
  explanation: string;
  source: string;
  /** 0..1: how conclusive this cause's evidence is when present. */
  prior: number;
  /**
   * How bad it is when it happens: one severity per cause, whichever rung saw it (a finding's own severity counts
   * only for causes the kb does not know). `info` is context, never a risk of its own.
   */
  severity: Severity;
}
