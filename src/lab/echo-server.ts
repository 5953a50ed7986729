// The lab's service on the real server: echoes every TCP connection back and closes when the client does.
// `lab up` starts it inside the real's namespace as
//   node echo-server.js --host VIP --port PORT --lab PREFIX --daemon
// In --daemon mode this process re-launches itself detached (own session, no inherited pipes, so the caller's
// Exec returns) and exits only once the child is listening, printing `pid N`: the lab knows the server is ready
// before the first probe, and records the pid so `lab down` can end it. `--lab PREFIX` is a marker in the
// command line that lets `lab down` find a server whose state file was lost.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    lab: { type: 'string' },
    daemon: { type: 'boolean', default: false },
  },
  strict: true,
});

const host = values.host ?? '0.0.0.0';
const port = Number(values.port ?? '50002');
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write(`echo-server: bad --port ${values.port}\n`);
  process.exit(2);
}

if (values.daemon) daemonize();
else serve();

function serve(): void {
  // allowHalfOpen: the client (nc -N) shuts its write side after sending; we still owe it the echo.
  const server = createServer({ allowHalfOpen: true }, (sock) => {
    sock.on('error', () => sock.destroy());
    sock.pipe(sock);
  });
  server.on('error', (err) => {
    process.send?.({ error: err.message });
    process.exit(1);
  });
  server.listen(port, host, () => {
    process.send?.({ ready: true });
    // Drop the channel so the parent can exit; the listening socket keeps this process alive.
    if (process.connected) process.disconnect();
  });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => process.exit(0));
}

function daemonize(): void {
  const self = fileURLToPath(import.meta.url);
  const args = [self, '--host', host, '--port', String(port), ...(values.lab ? ['--lab', values.lab] : [])];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const timer = setTimeout(() => fail('did not start listening within 5 s'), 5000);
  function fail(why: string): void {
    clearTimeout(timer);
    try { child.kill('SIGKILL'); } catch { /* gone */ }
    process.stderr.write(`echo-server: ${why}\n`);
    process.exit(1);
  }
  child.on('message', (m: { ready?: boolean; error?: string }) => {
    if (m.error) return fail(`cannot listen on ${host}:${port}: ${m.error}`);
    if (!m.ready) return;
    clearTimeout(timer);
    process.stdout.write(`pid ${child.pid}\n`);
    child.disconnect();
    child.unref();
    process.exit(0);
  });
  child.on('exit', (code) => fail(`exited with code ${code} before listening`));
}
