// The keys that work right now, always on the last line.
import { Box, Text } from 'ink';
import { useTheme } from './theme.js';

export type KeyHint = [key: string, what: string];

export function Footer({ keys, notice }: { keys: KeyHint[]; notice?: { text: string; tone: 'good' | 'bad' | 'info' } }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" marginTop={1}>
      {notice && <Text color={theme.color(notice.tone)}>{notice.text}</Text>}
      <Text>
        {keys.map(([k, what], i) => (
          <Text key={k}>
            {i > 0 && <Text color={theme.color('muted')}> · </Text>}
            <Text bold color={theme.color('accent')}>{k}</Text>
            <Text color={theme.color('muted')}> {what}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
