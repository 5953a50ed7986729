// Process-wide shutdown: installed first thing in cli.tsx, before any heavy import, so a signal at any
// moment is handled. SIGINT, SIGTERM and SIGHUP (an SSH session dropping) abort the run through one
// AbortSignal and run the hooks that kill child processes; the run then reports and exits 130. A second
// signal, or a run that does not wind down within the grace period, exits at once — after the hooks.
const controller = new AbortController();
const hooks = new Set<() => void>();
let signalled: NodeJS.Signals | undefined;

export const shutdownSignal: AbortSignal = controller.signal;
export const GRACE_MS = 5000;

export function interruptedBy(): NodeJS.Signals | undefined {
  return signalled;
}

/** Registers a hook run on shutdown (e.g. kill every child). Returns its removal. */
export function onShutdown(fn: () => void): () => void {
  hooks.add(fn);
  return () => hooks.delete(fn);
}

export function runShutdownHooks(): void {
  for (const fn of hooks) {
    try { fn(); } catch { /* a failing hook must not stop the others */ }
  }
}

export function installSignalHandlers(): void {
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) { runShutdownHooks(); process.exit(130); }
    signalled = sig;
    controller.abort(new Error(`interrupted by ${sig}`));
    runShutdownHooks();
    setTimeout(() => { runShutdownHooks(); process.exit(130); }, GRACE_MS).unref();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  // After SIGHUP the terminal is gone: writes fail with EIO/EPIPE. That is not a crash of ours.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const fatal = (err: unknown) => {
    runShutdownHooks();
    if (!signalled) {
      try { process.stderr.write(`xdp-doctor: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`); } catch { /* no terminal */ }
    }
    process.exit(signalled ? 130 : 1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  process.on('exit', runShutdownHooks);
}
