#!/usr/bin/env node
// argv → mode → run → exit code. Thin: everything else lives in engine/, lab/, report/ and ui/.
import { installSignalHandlers } from './shutdown.js';
import { main } from './main.js';

installSignalHandlers();
main(process.argv.slice(2)).then(
  (code) => exit(code),
  (err) => {
    process.stderr.write(`xdp-doctor: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    exit(1);
  },
);

/**
 * Exit as soon as the work is done and said. A child already killed may still be ending in the kernel — bpftrace
 * detaches its probes for ~0.5 s after its maps are read — and waiting for it only delays the prompt; the
 * exit handler SIGKILLs whatever is left (tools/exec.ts). stdout and stderr are synchronous on Linux for files,
 * pipes and terminals, so nothing written is lost.
 */
function exit(code: number): void {
  process.exitCode = code;
  process.exit(code);
}
