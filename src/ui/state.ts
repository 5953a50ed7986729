// The wizard's state: one immutable snapshot the components render. WizardSession is its only writer.
import type { CheckRecord, Fix, FixOutcome, RunReport, Target } from '../engine/types.js';
import type { Choice } from '../target/choices.js';

export interface RungPlan { id: string; title: string; rung: number; question?: string }

export type Again = 'rerun' | 'after fix';

/** Finished output, printed once by <Static> and scrolled away like a log. */
export type StaticItem =
  | { key: string; kind: 'header'; text: string }
  | { key: string; kind: 'rung'; record: CheckRecord; question?: string; again?: Again }
  | { key: string; kind: 'fix'; outcome: FixOutcome }
  | { key: string; kind: 'note'; text: string; tone: 'good' | 'bad' | 'info' };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A StaticItem before the store gives it its key. */
export type NewItem = DistributiveOmit<StaticItem, 'key'>;

export interface Running {
  id: string; title: string; question?: string; progress?: string;
  /** The newest live evidence lines (tcpdump lines, counters); liveTotal counts all of them. */
  live: string[]; liveTotal: number;
  startedAt: number; probe?: string; again?: Again;
}

export type Overlay =
  | { kind: 'details'; id: string; scroll: number }
  | { kind: 'fix-confirm'; cause: string; causeTitle: string; fix: Fix; argv: string[][]; undo: string[][] }
  /** `t` on an interface with no program: the object file to attach, as typed so far. */
  | { kind: 'attach-prompt'; iface: string; text: string };

export type Phase = 'start' | 'resolving' | 'ladder' | 'end' | 'done';

export interface StartState {
  loading: boolean; choices: Choice[]; selected: number; problems: string[]; namespaces: number; error?: string;
}

type Notice = { text: string; tone: 'good' | 'bad' | 'info' };

export interface WizardState {
  phase: Phase;
  start?: StartState;
  target?: Target;
  plan: RungPlan[];
  items: StaticItem[];
  /** Newest record of every rung that finished, in rung order (re-runs replace). */
  records: CheckRecord[];
  running?: Running;
  /** The rung the ladder waits to run (Enter runs it, s skips it). */
  next?: RungPlan;
  auto: boolean;
  focus?: string;
  overlay?: Overlay;
  busy?: { kind: 'rerun' | 'fix'; step: string };
  report?: RunReport;
  fix?: FixOutcome;
  notice?: Notice;
  exitCode?: number;
  interrupted?: boolean;
  /** The climb itself failed (an engine error, not a rung's): the run has no report, and exits 1 as the CLI would. */
  climbFailed?: string;
}
