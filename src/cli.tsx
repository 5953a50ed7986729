#!/usr/bin/env node
// argv → mode → run → exit code. Thin: everything else lives in engine/, lab/, report/ and ui/.
import { installSignalHandlers } from './shutdown.js';
import { main } from './main.js';

installSignalHandlers();
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`xdp-doctor: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
