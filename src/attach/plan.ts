// The attach run as a plan and a target: shared by `xdp-doctor attach` and the wizard's `t` (attach a program on an
// interface that has none), so both run the same rungs through the same engine.
import type { PlannedCheck } from '../engine/runner.js';
import type { Target } from '../engine/types.js';
import type { AttachRequest } from './request.js';
import { ATTACH_RUNGS } from './rungs.js';

export function attachPlan(request: AttachRequest): PlannedCheck[] {
  return ATTACH_RUNGS.map((check) => ({ check, source: 'built-in', options: { request } }));
}

export function attachTarget(r: AttachRequest): Target {
  return { kind: 'iface', iface: r.iface, ...(r.netns ? { netns: r.netns } : {}), hops: [], windowMs: 0, expect: [] };
}
