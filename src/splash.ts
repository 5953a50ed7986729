// The wizard's first frame, painted before Ink and React have loaded (they take ~0.5 s to import on these
// machines): the same "⠋ starting…" line Ink's first frame shows. runWizard erases it just before Ink renders,
// so the screen never shows it twice. No imports: this runs on the start-up path.
let painted = 0;

export function paintSplash(stdout: NodeJS.WritableStream, color: boolean): void {
  stdout.write(`${color ? '\x1b[32m⠋\x1b[39m' : '⠋'} starting…\n`);
  painted = 1;
}

/** Removes the splash line (cursor up one line, clear it) if one was painted. */
export function eraseSplash(stdout: NodeJS.WritableStream): void {
  if (!painted) return;
  stdout.write('\x1b[1A\x1b[2K\r');
  painted = 0;
}
