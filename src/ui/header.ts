// The first line the wizard prints for a target.
import type { Target } from '../engine/types.js';

export function headerText(tool: { name: string; version: string }, t: Target): string {
  const where = t.kind === 'lab' ? `the built-in lab ${t.labName} (${t.iface} in ${t.netns?.kind === 'name' ? t.netns.name : 'its namespace'})`
    : `${t.iface}${t.netns ? ` in ${t.netns.kind === 'name' ? t.netns.name : t.netns.kind === 'pid' ? `pid ${t.netns.pid}` : t.netns.path}` : ''}`;
  return `${tool.name} ${tool.version} — climbing the ladder on ${where}`;
}
