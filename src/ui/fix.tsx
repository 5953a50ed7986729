// `f`: the exact argv the fix will run (namespace entered with nsenter) and its undo, then y/n. Nothing runs
// before the operator says y.
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { Overlay } from './state.js';
import { useSize, useTheme } from './theme.js';
import { wrapCommand } from './text.js';

export function FixConfirm({ overlay }: { overlay: Extract<Overlay, { kind: 'fix-confirm' }> }) {
  const theme = useTheme();
  const { columns } = useSize();
  const cmd = (a: string[]) => wrapCommand(a, columns - 4, '  ');
  return (
    <Box flexDirection="column" marginTop={1} borderStyle="round" borderColor={theme.color('warn')} paddingX={1}>
      <Text bold>Apply a fix for: {overlay.causeTitle}</Text>
      <Text>{overlay.fix.title}</Text>
      <Text color={theme.color('muted')}>These commands will run, in this order:</Text>
      {overlay.argv.flatMap(cmd).map((l, i) => <Text key={i} color={theme.color('accent')}>{l}</Text>)}
      {overlay.undo.length > 0 && <Text color={theme.color('muted')}>Undo (logged; `xdp-doctor undo` runs it):</Text>}
      {overlay.undo.flatMap(cmd).map((l, i) => <Text key={`u${i}`} color={theme.color('muted')}>{l}</Text>)}
      <Text>Then the rungs that failed run again and the probe is sent once more.</Text>
      <Text bold>Apply it? <Text color={theme.color('good')}>y</Text> yes · <Text color={theme.color('bad')}>n</Text> no</Text>
    </Box>
  );
}

export function Busy({ step }: { step: string }) {
  const theme = useTheme();
  return (
    <Box marginTop={1}>
      <Text><Text color={theme.color('accent')}><Spinner type="dots" /></Text> {step}…</Text>
    </Box>
  );
}

/** `t`: the object file to attach to an interface that has no program, typed in place. */
export function AttachPrompt({ overlay }: { overlay: Extract<Overlay, { kind: 'attach-prompt' }> }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" marginTop={1} borderStyle="round" borderColor={theme.color('accent')} paddingX={1}>
      <Text bold>Attach an XDP program to {overlay.iface}</Text>
      <Text color={theme.color('muted')}>The same run as `xdp-doctor attach OBJECT --iface {overlay.iface}`: what would refuse it first, then the attach (undo: `xdp-doctor undo`).</Text>
      <Text wrap="truncate-start">BPF object (.o): <Text color={theme.color('accent')}>{overlay.text}</Text>█</Text>
    </Box>
  );
}
