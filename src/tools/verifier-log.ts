// The verifier's log as libbpf prints it when a program fails to load (iproute2's `ip link set … obj`, bpftool
// and libbpf loaders all print it the same way): "libbpf: prog 'NAME': -- BEGIN PROG LOAD LOG --", the walk,
// "-- END PROG LOAD LOG --", then "failed to load: -ERRNO". Pure parsing: which instruction was rejected, the
// source line the object's BTF line info puts before it (`; text @ file.c:N`), and the verifier's own words.
// Logs can be huge (a program too large to verify prints ~100 MB): callers keep the head and the tail, and the
// rejection is always in the tail.

export interface SourceLine { file: string; line: number; text: string }

export interface VerifierRejection {
  program?: string;
  /** The load's errno, positive (libbpf prints "failed to load: -13"). */
  errno?: number;
  /** The last instruction the verifier looked at: the rejected one. */
  insn?: { index: number; text: string };
  /** The source line of the rejected instruction, when the object has line info. */
  source?: SourceLine;
  /** The verifier's words after the rejected instruction (without the "processed N insns" summary). */
  message: string[];
  processedInsns?: number;
  /** The log was present (a verifier rejection), not just libbpf's own failure before the load. */
  hasLog: boolean;
  /** The walk just before the rejected instruction (at most WALK_KEPT lines): what the program did on the way. */
  walk: string[];
}

export const WALK_KEPT = 400;

const INSN = /^(\d+): (\(.+|<.+>)$/;
const SOURCE = /^; (.*) @ (.+):(\d+)$/;
const PROCESSED = /^processed (\d+) insns/;

export function parseVerifierRejection(text: string): VerifierRejection | undefined {
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  const failed = lines.map((l) => /^libbpf: prog '([^']+)': failed to load: (-?\d+)/.exec(l)).find(Boolean);
  const begin = lines.findIndex((l) => /-- BEGIN PROG LOAD LOG --/.test(l));
  if (!failed && begin < 0) return undefined;
  const program = failed?.[1] ?? /prog '([^']+)'/.exec(lines[begin] ?? '')?.[1];
  const errno = failed ? Math.abs(Number(failed[2])) : undefined;
  if (begin < 0) {
    // libbpf gave up before the kernel saw the program (a relocation it could not do): its own lines say why.
    const own = lines.filter((l) => /^libbpf: /.test(l) && !/failed to load( object)?/.test(l)).map((l) => l.replace(/^libbpf: (prog '[^']+': )?/, ''));
    return { program, errno, message: own, hasLog: false, walk: [] };
  }
  const end = lines.findIndex((l, i) => i > begin && /-- END PROG LOAD LOG --/.test(l));
  const log = lines.slice(begin + 1, end < 0 ? undefined : end);
  let insnAt = -1;
  for (let i = log.length - 1; i >= 0; i--) if (INSN.test(log[i]!)) { insnAt = i; break; }
  const out: VerifierRejection = { program, errno, message: [], hasLog: true, walk: log.slice(Math.max(0, insnAt - WALK_KEPT), Math.max(insnAt, 0)) };
  if (insnAt >= 0) {
    const m = INSN.exec(log[insnAt]!)!;
    out.insn = { index: Number(m[1]), text: m[2]!.replace(/\s+;.*$/, '') };
    // Line 0 is code the compiler made up (no line of its own); the real line is the one before it.
    for (let i = insnAt - 1; i >= 0; i--) {
      const s = SOURCE.exec(log[i]!);
      if (s && Number(s[3]) > 0) { out.source = { file: s[2]!, line: Number(s[3]), text: s[1]!.trim() }; break; }
    }
  }
  for (const l of log.slice(insnAt + 1)) {
    const p = PROCESSED.exec(l);
    if (p) { out.processedInsns = Number(p[1]); continue; }
    if (l.trim() && !SOURCE.test(l)) out.message.push(l.trim());
  }
  return out;
}
