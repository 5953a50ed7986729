// What the start screen offers, as data: the labs and the XDP programs discovery found (discover.ts), and the
// rows a view draws from them. Apart from discover.ts so a view can import these without the code that runs
// commands.
import type { LabRun } from '../lab/runs.js';
import type { XdpAttachment } from '../tools/ip.js';

/** An XDP program where it is attached: tools/ip's attachment, placed on an interface and in a namespace. */
export type FoundProgram = Pick<XdpAttachment, 'mode' | 'progId' | 'progName'> & {
  iface: string;
  ifindex: number;
  /** Namespace name under /run/netns, or /proc/PID/ns/net for one without a name; undefined for the host's own. */
  netns?: string;
  /** For a namespace without a name: "netns of pid 1234 (comm)". */
  netnsLabel?: string;
};

/** A lab run, with the XDP programs inside its namespaces (the LB, the peer's dummy, the decap). */
export type FoundLab = LabRun & { programs: number };

export interface Discovery {
  programs: FoundProgram[];
  labs: FoundLab[];
  /** Namespaces or files that could not be read, in words; shown under the list. */
  problems: string[];
  namespaces: number;
}

export type Choice =
  | { kind: 'lab'; lab: FoundLab }
  | { kind: 'iface'; attachment: FoundProgram };

/** The start screen's rows: labs first (the usual way in), then every other program. */
export function choicesOf(d: Discovery, preferLab?: string): { choices: Choice[]; selected: number } {
  const choices: Choice[] = [
    ...d.labs.map((lab): Choice => ({ kind: 'lab', lab })),
    ...d.programs.map((attachment): Choice => ({ kind: 'iface', attachment })),
  ];
  let selected = choices.findIndex((c) => c.kind === 'lab' && c.lab.name === preferLab);
  if (selected < 0) selected = choices.findIndex((c) => c.kind === 'lab' && c.lab.phase === 'up');
  return { choices, selected: Math.max(0, selected) };
}

export function describeChoice(c: Choice): string {
  if (c.kind === 'lab') {
    const l = c.lab;
    const state = l.phase === 'up' ? 'up' : l.phase === 'building' ? 'being built or crashed' : 'partly built';
    return `the built-in lab ${l.name} (${state}${l.faults.length ? `; fault: ${l.faults.join(', ')}` : ''})`;
  }
  const a = c.attachment;
  return `${a.iface} in ${a.netnsLabel ?? a.netns ?? 'the host namespace'}: ${a.progName ?? 'prog'} id ${a.progId} (${a.mode})`;
}
