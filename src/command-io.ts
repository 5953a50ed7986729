// The two streams every subcommand writes to. Its own module, below main.ts: main dispatches to the subcommands,
// so the subcommands cannot import their IO type from main without closing a circle.
export interface IO { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }
