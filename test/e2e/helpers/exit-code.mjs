// Runs argv (after the file name) in this terminal and writes its exit code to the file first named: tmux 3.3's
// #{pane_dead_status} is empty for exit 0 and, now and then, for a real exit 1 too, so a test cannot trust it.
// Signals reaching this wrapper are passed on, so the child still dies with its terminal.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const [file, cmd, ...args] = process.argv.slice(2);
const child = spawn(cmd, args, { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  writeFileSync(file, signal ? `signal ${signal}` : String(code));
  process.exit(code ?? 1);
});
