// Output recorded from real runs on this machine (test/recordings/), read as text.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function recording(path: string): string {
  return readFileSync(fileURLToPath(new URL(`../../recordings/${path}`, import.meta.url)), 'utf8');
}

/** test/recordings/preflight/tool-versions.txt: "== argv" headers, each followed by what the tool printed. */
export function toolVersionSections(): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of recording('preflight/tool-versions.txt').split(/^== /m).filter(Boolean)) {
    const [head, ...body] = part.split('\n');
    out.set(head!.trim(), body.join('\n'));
  }
  return out;
}

/** The recorded excerpt of this kernel's BTF, as `bpftool btf dump file /sys/kernel/btf/vmlinux format raw` answers
 * the drop-reasons rung (it reads the sk_buff layout from it). A Recording for runCheck's exec. */
export const vmlinuxBtf = {
  argv: (a: string[]) => a[0] === 'bpftool' && a[1] === 'btf',
  stdout: recording('bpftool/btf-vmlinux-skb-excerpt-6.18.txt'),
};
