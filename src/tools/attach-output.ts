// What `ip link set dev IFACE xdp… obj FILE …` (iproute2 with libbpf) prints when it fails, read into one of three
// shapes: the kernel refused the attach (its extack message), the kernel refused the program (the verifier's log,
// see verifier-log.ts), or iproute2 refused before the kernel (the section or program is not in the object).
import { parseVerifierRejection, type VerifierRejection } from './verifier-log.js';

export type AttachFailure =
  | { kind: 'refused'; message: string }
  | { kind: 'load'; rejection: VerifierRejection }
  | { kind: 'not-in-object'; what: 'sec' | 'prog'; name: string }
  | { kind: 'other'; text: string };

export function parseAttachFailure(stderr: string): AttachFailure {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const missing = lines.map((l) => /^object file doesn't contain (sec|prog) (.+)$/.exec(l)).find(Boolean);
  if (missing) return { kind: 'not-in-object', what: missing[1] as 'sec' | 'prog', name: missing[2]! };
  const rejection = parseVerifierRejection(stderr);
  if (rejection) return { kind: 'load', rejection };
  // iproute2: "Error: MESSAGE."; libbpf-based loaders (bpftool net attach): "libbpf: Kernel error message: MESSAGE".
  const extack = lines.map((l) => /^Error: (.+?)\.?$/.exec(l)?.[1] ?? /^libbpf: Kernel error message: (.+)$/.exec(l)?.[1]).find(Boolean);
  if (extack) return { kind: 'refused', message: extack };
  return { kind: 'other', text: lines.slice(-6).join('\n') };
}
