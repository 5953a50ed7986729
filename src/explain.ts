// `xdp-doctor explain ERRNO`: the meaning of an errno, from the errno table (the XDP signal rows join later).
import type { IO } from './main.js';
import { lookupErrno } from './kb/errnos.js';

export async function explainCommand(args: string[], io: IO): Promise<number> {
  const [code] = args;
  if (!code) { io.stderr.write('xdp-doctor explain: give an errno (6, -6 or ENXIO); try `xdp-doctor --help`\n'); return 2; }
  const info = lookupErrno(code);
  if (!info) { io.stderr.write(`xdp-doctor explain: unknown errno ${JSON.stringify(code)}\n`); return 2; }
  io.stdout.write(`${info.name} (${info.value}): ${info.message}\n`);
  return 0;
}
