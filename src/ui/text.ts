// Text shaping for a fixed-width terminal: word wrap, hard wrap for pagers, and commands wrapped with a
// trailing backslash so a copied multi-line command still pastes into a shell as one command.
import { shellQuote } from '../report/format.js';

/** Greedy word wrap; words longer than the width are split. */
export function wrapWords(text: string, width: number, indent = '', firstIndent = indent): string[] {
  const out: string[] = [];
  let line = firstIndent;
  let lead = firstIndent;
  const room = (s: string) => Math.max(8, width - s.length);
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    while (w.length > room(indent)) {
      if (line.length > lead.length) { out.push(line); line = indent; lead = indent; }
      out.push(indent + w.slice(0, room(indent)));
      w = w.slice(room(indent));
    }
    if (line.length > lead.length && line.length + 1 + w.length > width) { out.push(line); line = indent; lead = indent; }
    line += (line.length > lead.length ? ' ' : '') + w;
  }
  if (line.length > lead.length || !out.length) out.push(line);
  return out;
}

/** Hard-wraps text to width (pagers need one screen line per array entry). */
export function wrapLines(text: string, width: number, indent = ''): string[] {
  const w = Math.max(10, width - indent.length);
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= w) { out.push(indent + line); continue; }
    for (let i = 0; i < line.length; i += w) out.push(indent + line.slice(i, i + w));
  }
  return out;
}

/** `$ argv…` over as many lines as needed, broken between arguments with ` \` so it pastes as one command. */
export function wrapCommand(argv: string[], width: number, indent = ''): string[] {
  const words = shellQuote(argv).split(' ');
  const out: string[] = [];
  let line = `${indent}$`;
  for (const w of words) {
    if (line.trim() !== '$' && line.length > indent.length + 4 && line.length + 1 + w.length + 2 > width) {
      out.push(`${line} \\`);
      line = `${indent}    ${w}`;
    } else {
      line += ` ${w}`;
    }
  }
  out.push(line);
  return out;
}
