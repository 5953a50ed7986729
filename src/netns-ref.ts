// A namespace as the user names it: a name under /run/netns, or a path (/proc/PID/ns/net, /run/netns/NAME).
import type { NetnsRef } from './engine/types.js';

export function netnsRefOf(s: string): NetnsRef {
  return s.startsWith('/') ? { kind: 'path', path: s } : { kind: 'name', name: s };
}
