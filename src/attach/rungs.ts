// The attach run, in order: read-only preconditions, then the attach. Kept apart from the ladder's rungs
// (checks/): they answer "will it attach?", not "where do the packets go?".
import type { Check } from '../engine/types.js';
import { objectRung } from './rung-object.js';
import { deviceRung } from './rung-device.js';
import { mtuRung } from './rung-mtu.js';
import { queuesRung } from './rung-queues.js';
import { hookRung } from './rung-hook.js';
import { virtioRung } from './rung-virtio.js';
import { privilegesRung } from './rung-privileges.js';
import { attachRung } from './rung-attach.js';
import { FACT } from './context.js';

/** A precondition's predicted refusals (its risk findings) are published for the attach rung's dry-run summary. */
const predicting = (c: Check): Check => ({
  ...c,
  async run(ctx) {
    const r = await c.run(ctx);
    const causes = r.findings.filter((f) => f.risk).map((f) => f.cause);
    if (causes.length) ctx.facts.set(FACT.predicted, [...(ctx.facts.get<string[]>(FACT.predicted) ?? []), ...causes]);
    return r;
  },
});

export const ATTACH_RUNGS: Check[] = [
  ...[objectRung, deviceRung, mtuRung, queuesRung, virtioRung, hookRung, privilegesRung].map(predicting), attachRung,
];
