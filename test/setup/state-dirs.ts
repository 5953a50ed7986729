// Every test file runs with its own state directories (src/state-dirs.ts): whatever a test applies, logs or
// builds lands in a fresh temp dir, never in the machine's fix log (/var/lib/xdp-doctor/fixes.json) or lab
// records (/run/xdp-doctor), where a user's next `undo` or the wizard's start screen would find it. The
// variables are in process.env, so every CLI the tests start (execa extends the parent's environment) uses them.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const base = mkdtempSync(join(tmpdir(), 'xdp-doctor-test-state-'));
// Traversable by everyone, as /run/xdp-doctor is: the not-root tests run the CLI as nobody, which must find a
// lab's record where root's run left it and fail for lack of privilege, not for an unreadable directory.
chmodSync(base, 0o755);
process.env.XDP_DOCTOR_STATE_DIR = join(base, 'state');
process.env.XDP_DOCTOR_RUN_DIR = join(base, 'run');

// Registered first, so it runs after the file's own afterAll hooks (vitest runs after-hooks as a stack).
afterAll(() => rmSync(base, { recursive: true, force: true }));
