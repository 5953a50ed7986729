// The exact argv a fix runs, decided in one place: apply-fix runs these lists and every view shows the same
// ones, so the renderers need not know how a namespace is entered.
import { inNetns } from '../tools/netns.js';
import type { Fix } from './types.js';

/** The exact argv a fix runs, with its namespace entered through nsenter. */
export function fixArgv(fix: Fix, argv: string[]): string[] {
  return inNetns(argv, fix.netns);
}
