// Rendering the wizard for tests without module mocks: Ink's own render() on fake streams (as Shopify/cli's
// testing/ui.ts does), so the terminal size is ours to choose and raw writes can be inspected. Input is written
// only once Ink listens, and every wait polls the frame instead of sleeping a fixed time (React 19 schedules
// renders and effects with setImmediate).
import { EventEmitter } from 'node:events';
import { render, type Instance } from 'ink';
import type { ReactElement } from 'react';

export class FakeStdout extends EventEmitter {
  frames: string[] = [];
  writes: string[] = [];
  constructor(public columns = 100, public rows = 40, public isTTY = false) { super(); }
  write = (s: string) => { this.writes.push(s); this.frames.push(s); return true; };
  lastFrame = () => this.frames.at(-1) ?? '';
}

export class FakeStdin extends EventEmitter {
  isTTY = true;
  private queue: string[] = [];
  write = (data: string) => { this.queue.push(data); this.emit('readable'); };
  read = () => this.queue.shift() ?? null;
  setEncoding() {}
  setRawMode() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
}

export interface Rendered {
  stdin: FakeStdin;
  stdout: FakeStdout;
  instance: Instance;
  /** The newest full frame (static rows + live region in debug mode). */
  frame(): string;
  unmount(): void;
}

export function renderTui(node: ReactElement, opts: { columns?: number; rows?: number; tty?: boolean } = {}): Rendered {
  const stdout = new FakeStdout(opts.columns ?? 100, opts.rows ?? 40, opts.tty ?? false);
  const stderr = new FakeStdout();
  const stdin = new FakeStdin();
  const instance = render(node, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    // debug: every frame is written whole (static rows + live region), so frame() is the screen's content.
    debug: !opts.tty,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return { stdin, stdout, instance, frame: () => stdout.lastFrame(), unmount: () => instance.unmount() };
}

const tick = () => new Promise((r) => setImmediate(() => setTimeout(r, 0)));

export async function waitFor(cond: () => boolean, what: string | (() => string), timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await tick();
  }
}

/** Text without SGR sequences (colour, bold), for matching words across styled spans. */
export const plain = (s: string) => s.replace(/\u001B\[[0-9;]*m/g, '');

/** Waits until the frame (styles stripped) contains text (a string or a pattern); returns the raw frame. */
export async function waitForText(r: Rendered, text: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const has = () => { const f = plain(r.frame()); return typeof text === 'string' ? f.includes(text) : text.test(f); };
  await waitFor(has, () => `${String(text)} in the frame:\n${r.frame()}`, timeoutMs);
  return r.frame();
}

export const KEYS = {
  end: '\u001B[F', home: '\u001B[H', enter: '\r', up: '\u001B[A', down: '\u001B[B', pageDown: '\u001B[6~', pageUp: '\u001B[5~', escape: '\u001B', ctrlC: '\u0003',
} as const;

/** Writes a key once Ink listens for input, then waits for the frame to show `until`. */
export async function press(r: Rendered, key: string, until?: string | RegExp): Promise<string> {
  await waitFor(() => r.stdin.listenerCount('readable') > 0, 'Ink to listen on stdin');
  r.stdin.write(key);
  if (until !== undefined) return waitForText(r, until);
  await tick();
  await tick();
  return r.frame();
}

/** Everything after the last occurrence of `marker`: the live region of a debug frame. */
export function after(frame: string, marker: string): string {
  const i = frame.lastIndexOf(marker);
  return i < 0 ? '' : frame.slice(i);
}
