// The verifier's log as libbpf prints it when a program fails to load (iproute2's `ip link set … obj`, bpftool
// and libbpf loaders all print it the same way): "libbpf: prog 'NAME': -- BEGIN PROG LOAD LOG --", the walk,
// "-- END PROG LOAD LOG --", then "failed to load: -ERRNO". Pure parsing: which instruction was rejected, the
// source line the object's BTF line info puts before it (`; text @ file.c:N`), and the verifier's own words.
// Logs can be huge (a program too large to verify prints ~100 MB): callers keep the head and the tail, and the
// rejection is always in the tail.

import type { LineRecord } from './bpf-elf.js';

export interface SourceLine { file: string; line: number; text: string }

export interface VerifierRejection {
  program?: string;
  /** The load's errno, positive (libbpf prints "failed to load: -13"). */
  errno?: number;
  /** The last instruction the verifier looked at: the rejected one. */
  insn?: { index: number; text: string };
  /** The source line of the rejected instruction, when the object has line info and the kernel names it (6.4+). */
  source?: SourceLine;
  /**
   * The text of that line, as every kernel with line info prints it (`; if (x)`); before 6.4 without `@ file:N`,
   * so locateSource() finds the file and line in the object's own line info.
   */
  sourceText?: string;
  /** The verifier's words after the rejected instruction (without the "processed N insns" summary). */
  message: string[];
  processedInsns?: number;
  /** The log was present (a verifier rejection), not just libbpf's own failure before the load. */
  hasLog: boolean;
  /** The walk just before the rejected instruction (at most WALK_KEPT lines): what the program did on the way. */
  walk: string[];
}

const WALK_KEPT = 400;

const INSN = /^(\d+): (\(.+|<.+>)$/;
const SOURCE = /^; (.*) @ (.+):(\d+)$/;
const SOURCE_TEXT = /^; (.*)$/;
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
      if (s && Number(s[3]) > 0) { out.source = { file: s[2]!, line: Number(s[3]), text: s[1]!.trim() }; out.sourceText = out.source.text; break; }
      if (s) continue;
      const t = SOURCE_TEXT.exec(log[i]!);
      if (t && t[1]!.trim()) { out.sourceText = t[1]!.trim(); break; }
    }
  }
  for (const l of log.slice(insnAt + 1)) {
    const p = PROCESSED.exec(l);
    if (p) { out.processedInsns = Number(p[1]); continue; }
    if (l.trim() && !SOURCE_TEXT.test(l)) out.message.push(l.trim());
  }
  return out;
}

/**
 * The rejected line's file and number from the object's line info (lineInfo() in bpf-elf.ts), for kernels that
 * print only its text: the records of the program's section with that text; of several, the last one at or before
 * the rejected instruction. Undefined when the text is in no record (the object was rebuilt, or has no line info).
 */
export function locateSource(r: VerifierRejection, records: LineRecord[], section: string): SourceLine | undefined {
  if (r.source) return r.source;
  const text = r.sourceText;
  if (!text) return undefined;
  const same = records.filter((l) => l.section === section && l.line > 0 && l.text.trim() === text);
  if (!same.length) return undefined;
  const before = same.filter((l) => r.insn === undefined || l.insn <= r.insn.index);
  const hit = (before.length ? before : same).reduce((a, b) => (b.insn > a.insn ? b : a));
  return { file: hit.file.split('/').pop()!, line: hit.line, text };
}
