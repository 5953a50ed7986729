// The attach run, in order: five read-only preconditions, then the attach. Kept apart from the ladder's rungs
// (checks/): they answer "will it attach?", not "where do the packets go?".
import type { Check } from '../engine/types.js';
import { objectRung } from './rung-object.js';
import { deviceRung } from './rung-device.js';
import { mtuRung } from './rung-mtu.js';
import { queuesRung } from './rung-queues.js';
import { hookRung } from './rung-hook.js';
import { privilegesRung } from './rung-privileges.js';
import { attachRung } from './rung-attach.js';

export const ATTACH_RUNGS: Check[] = [objectRung, deviceRung, mtuRung, queuesRung, hookRung, privilegesRung, attachRung];
