// The wizard's root component: <Static> for everything finished (printed once, scrolls away like a log), one
// live region for what is happening now (start screen, the running rung, the pager, the fix prompt, the
// summary), and a footer with the keys that work right now. State lives in WizardSession; this maps keys.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Box, Static, Text, useApp, useInput, type Key } from 'ink';
import Spinner from 'ink-spinner';
import { Details, detailLines, detailsPageSize } from './details.js';
import { describeChoice } from '../target/choices.js';
import { AttachPrompt, Busy, FixConfirm } from './fix.js';
import { Footer, type KeyHint } from './footer.js';
import { FocusLine, NextRung, RunningRung, StaticRow } from './rungs.js';
import type { WizardSession, WizardState } from './session.js';
import { StartScreen } from './start-screen.js';
import { Summary } from './summary.js';
import { counts } from '../report/format.js';
import { ThemeContext, makeTheme, useSize, useTheme, type Theme } from './theme.js';

interface WizardProps {
  session: WizardSession;
  theme?: Theme;
  onExit?(code: number): void;
}

export function Wizard({ session, theme: given, onExit }: WizardProps) {
  const [envTheme] = useState(() => makeTheme());
  const theme = given ?? envTheme;
  const state = useSyncExternalStore(session.subscribe, session.getState, session.getState);
  const { exit } = useApp();
  const size = useSize();
  const sizeRef = useRef(size);
  sizeRef.current = size;

  useEffect(() => {
    session.begin();
    return () => session.dispose();
  }, [session]);

  useEffect(() => {
    if (state.phase !== 'done') return;
    onExit?.(state.exitCode ?? 0);
    // Let this last frame reach the terminal before Ink unmounts and restores it.
    const t = setTimeout(() => exit(), 0);
    return () => clearTimeout(t);
  }, [state.phase, state.exitCode, exit, onExit]);

  // One stable handler (it reads the session, not a render's closure): Ink re-subscribes useInput whenever the
  // handler's identity changes, and with React 19 a key can arrive between that unsubscribe and subscribe.
  const onKey = useCallback((input: string, key: Key) => handleKey(session, input, key, sizeRef.current), [session]);
  useInput(onKey);

  return (
    <ThemeContext.Provider value={theme}>
      <Static items={state.items}>{(item) => <StaticRow key={item.key} item={item} />}</Static>
      <Box flexDirection="column">
        <Body state={state} session={session} />
        {state.phase !== 'done' && <Footer keys={footerKeys(state, session)} notice={state.notice} />}
      </Box>
    </ThemeContext.Provider>
  );
}

function Body({ state, session }: { state: WizardState; session: WizardSession }) {
  const { rows, columns } = useSize();
  const theme = useTheme();
  const s = state;
  const focus = s.records.find((r) => r.id === s.focus);
  const liveRows = Math.max(2, Math.min(12, rows - 14));

  if (s.phase === 'start') {
    return s.start ? <StartScreen start={s.start} /> : <Text><Spinner type="dots" /> starting…</Text>;
  }
  if (s.phase === 'resolving') {
    const c = s.start?.choices[s.start.selected];
    return <Text><Spinner type="dots" /> checking {c ? describeChoice(c) : 'the target'}…</Text>;
  }
  const o = s.overlay;
  if (o?.kind === 'details') {
    const r = s.records.find((x) => x.id === o.id);
    if (r) return <Details record={r} scroll={o.scroll} />;
  }
  if (o?.kind === 'fix-confirm') return <FixConfirm overlay={o} />;
  if (o?.kind === 'attach-prompt') return <AttachPrompt overlay={o} />;
  if (s.busy || s.running) {
    return (
      <Box flexDirection="column">
        {s.busy && <Busy step={s.busy.step} />}
        {s.running && <RunningRung running={s.running} liveRows={liveRows} />}
      </Box>
    );
  }
  if (s.phase === 'ladder') {
    if (s.next) return <NextRung next={s.next} focus={focus} />;
    return <Box marginTop={1}><Text><Spinner type="dots" /> …</Text></Box>;
  }
  if ((s.phase === 'end' || s.phase === 'done') && s.target && (s.report || s.phase === 'end')) {
    const report = session.currentReport();
    return (
      <Box flexDirection="column">
        {report
          ? <Summary report={report} columns={columns} maxLines={rows - 8} />
          // The climb crashed before the engine concluded: there is no diagnosis to show, only how it ended.
          : <Text color={theme.color('bad')} wrap="truncate-end">no diagnosis: the run ended without a report · {counts(s.records.map((r) => r.status)) || 'no rung finished'} · exit {s.interrupted ? 130 : session.verdict()}</Text>}
        {s.phase === 'end' && (
          <Text color={theme.color('muted')} wrap="truncate-end">
            report file: {session.reportName('md')} (m) or .json (j)
          </Text>
        )}
        {s.phase === 'end' && focus && <FocusLine record={focus} />}
        {s.phase === 'done' && s.interrupted && <Text>✗ interrupted: every child process was stopped (exit 130)</Text>}
      </Box>
    );
  }
  if (s.phase === 'done') {
    return s.interrupted
      ? <Text>✗ interrupted: every child process was stopped (exit 130)</Text>
      : <Text>stopped after {s.records.length} rung(s) (exit {s.exitCode ?? 0})</Text>;
  }
  return null;
}

function footerKeys(s: WizardState, session: WizardSession): KeyHint[] {
  const quit: KeyHint = ['q', 'quit'];
  if (s.phase === 'start') return s.start?.choices.length ? [['↑↓', 'choose'], ['Enter', 'examine'], quit] : [quit];
  if (s.phase === 'resolving') return [quit];
  if (s.overlay?.kind === 'fix-confirm') return [['y', 'apply'], ['n', 'cancel']];
  if (s.overlay?.kind === 'attach-prompt') return [['Enter', 'attach'], ['Esc', 'cancel']];
  if (s.overlay?.kind === 'details') return [['↑↓', 'scroll'], ['PgUp/PgDn', 'page'], ['d/Esc', 'close'], quit];
  if (s.running || s.busy) return [...(s.phase === 'ladder' && !s.auto ? [['a', 'run all remaining'] as KeyHint] : []), quit, ['Ctrl-C', 'stop now']];
  const fix = session.hasFix() ? [['f', 'apply fix'] as KeyHint] : [];
  if (s.phase === 'ladder') {
    if (!s.next) return [quit];
    return [['Enter', 'next'], ['a', 'run all'], ['r', 'rerun'], ['d', 'details'], ['s', 'skip'], ...fix, quit];
  }
  const attach = session.canAttach() ? [['t', 'attach a program'] as KeyHint] : [];
  return [...attach, ...fix, ['m', 'Markdown report'], ['j', 'JSON report'], ['d', 'details'], ['r', 'rerun'], quit];
}

function handleKey(session: WizardSession, input: string, key: Key, size: { columns: number; rows: number }): void {
  const s = session.getState();
  if (key.ctrl && input === 'c') { session.interrupt(); return; }
  if (s.phase === 'done') return;
  if (s.phase === 'start' || s.phase === 'resolving') {
    if (input === 'q' || key.escape) session.quit();
    else if (s.phase === 'resolving') return;
    else if (key.upArrow || input === 'k') session.select(-1);
    else if (key.downArrow || input === 'j') session.select(1);
    else if (key.pageUp) session.select(-(size.rows - 9));
    else if (key.pageDown) session.select(size.rows - 9);
    else if (key.return) void session.choose();
    return;
  }
  const o = s.overlay;
  if (o?.kind === 'fix-confirm') {
    if (input === 'y' || input === 'Y') void session.confirmFix(true);
    else if (input === 'n' || input === 'N' || key.escape) void session.confirmFix(false);
    return;
  }
  if (o?.kind === 'attach-prompt') {
    // Every key is text here (q and d included); Enter attaches, Esc cancels.
    if (key.return) session.submitObject();
    else if (key.escape) session.closeOverlay();
    else if (key.backspace || key.delete) session.eraseObject();
    else if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow && !key.tab) session.typeObject(input);
    return;
  }
  if (o?.kind === 'details') {
    const r = s.records.find((x) => x.id === o.id);
    const total = r ? detailLines(r, size.columns - 2).length : 0;
    const page = detailsPageSize(size.rows);
    if (key.upArrow || input === 'k') session.scrollDetails(-1, total, page);
    else if (key.downArrow || input === 'j' || input === ' ') session.scrollDetails(1, total, page);
    else if (key.pageUp) session.scrollDetails(-page, total, page);
    else if (key.pageDown) session.scrollDetails(page, total, page);
    else if (key.home) session.scrollDetails(-total, total, page);
    else if (key.end) session.scrollDetails(total, total, page);
    else if (input === 'd' || key.escape) session.closeOverlay();
    else if (input === 'q') session.quit();
    return;
  }
  if (input === 'q') { session.quit(); return; }
  if (input === 'a') { session.runAll(); return; }
  if (s.running || s.busy) return;
  if (key.return) session.next();
  else if (input === 's') session.skip();
  else if (input === 'r') void session.rerun();
  else if (input === 'd') session.toggleDetails();
  else if (input === 'f') session.requestFix();
  else if (input === 't') session.askObject();
  else if (input === 'm') void session.writeReport('md');
  else if (input === 'j') void session.writeReport('json');
  else if (key.upArrow) session.moveFocus(-1);
  else if (key.downArrow) session.moveFocus(1);
}
