// `xdp-doctor explain ERRNO [--tracepoint TP] [--driver DRV]`: what an errno means for XDP, from src/kb.
import { parseArgs } from 'node:util';
import type { IO } from './command-io.js';
import { explainErrno, explanationText } from './kb/explain.js';

const USAGE = 'usage: xdp-doctor explain <errno: 6 | -6 | ENXIO> [--tracepoint xdp_bulk_tx] [--driver veth]';

export async function explainCommand(args: string[], io: IO): Promise<number> {
  // "-6" is an errno, not a flag: take negative numbers out before flag parsing.
  const negatives = args.filter((a) => /^-\d+$/.test(a));
  let parsed;
  try {
    parsed = parseArgs({
      args: args.filter((a) => !/^-\d+$/.test(a)), allowPositionals: true, strict: true,
      options: { tracepoint: { type: 'string' }, driver: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    io.stderr.write(`xdp-doctor explain: ${(e as Error).message.split('\n')[0]}; ${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) { io.stdout.write(`${USAGE}\n`); return 0; }
  const [code, extra] = [...negatives, ...parsed.positionals];
  if (!code || extra) { io.stderr.write(`xdp-doctor explain: give exactly one errno; ${USAGE}\n`); return 2; }
  const tracepoint = parsed.values.tracepoint?.replace(/^(tracepoint:)?xdp:/, '');
  const e = explainErrno({ errno: code, tracepoint, driver: parsed.values.driver });
  if (!e.errno) { io.stderr.write(`xdp-doctor explain: unknown errno ${JSON.stringify(code)}; ${USAGE}\n`); return 2; }
  io.stdout.write(explanationText(e, { tracepoint, driver: parsed.values.driver }));
  return 0;
}
