// Colour that degrades: NO_COLOR (any non-empty value, https://no-color.org) drops every colour prop; marks
// and words carry the meaning on their own. chalk decides whether the terminal can show colour at all; it does
// not read NO_COLOR, so the wizard does.
import { createContext, useContext, useEffect, useState } from 'react';
import { useStdout } from 'ink';
import type { CheckStatus } from '../engine/types.js';

export type Tone = 'good' | 'warn' | 'bad' | 'info' | 'muted' | 'accent';

const TONES: Record<Tone, string> = { good: 'green', warn: 'yellow', bad: 'red', info: 'cyan', muted: 'gray', accent: 'cyan' };

export interface Theme { noColor: boolean; color(t: Tone): string | undefined }

export function makeTheme(env: NodeJS.ProcessEnv = process.env): Theme {
  const noColor = Boolean(env.NO_COLOR);
  return { noColor, color: (t) => (noColor ? undefined : TONES[t]) };
}

export const ThemeContext = createContext<Theme>(makeTheme({}));
export const useTheme = (): Theme => useContext(ThemeContext);

export const STATUS_MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '○', error: '✗' };
export const STATUS_TONE: Record<CheckStatus, Tone> = { pass: 'good', warn: 'warn', fail: 'bad', skip: 'muted', error: 'bad' };

/** Terminal size with 80x24 as the floor for unknown sizes (pipes, tests). */
export function useSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const s = stdout as NodeJS.WriteStream | undefined;
  // Ink re-lays out on resize but does not re-render components; text wrapped here must be wrapped again.
  const [, redraw] = useState(0);
  useEffect(() => {
    if (!s?.on) return;
    const onResize = () => redraw((n) => n + 1);
    s.on('resize', onResize);
    return () => { s.off('resize', onResize); };
  }, [s]);
  return { columns: Math.max(40, s?.columns || 80), rows: Math.max(12, s?.rows || 24) };
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
