// A fleet in network namespaces for the Ansible e2e: a controller namespace, and per host a zoo setup (its own
// XDP program on zs0, a client namespace to probe it from) whose server namespace also runs a real sshd on a veth
// to the controller, with a key made for the test. Names carry the pid; down() removes everything up() made,
// sshd processes included, and is safe to repeat.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { zooDown, zooUp, type ZooOptions, type ZooSetup } from './zoo.js';

export interface FleetHost {
  name: string;
  /** The zoo setup: the server namespace is the host (sshd and the doctor run there). */
  zoo: ZooSetup;
  /** The host's address on its veth to the controller, where its sshd listens. */
  address: string;
  sshd: ResultPromise;
}

export interface Fleet { controller: string; hosts: FleetHost[]; key: string }

const run = async (argv: string[]) => {
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, timeout: 20_000 });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: exit ${r.exitCode}: ${String(r.stderr).trim()}`);
  return String(r.stdout);
};

export const controllerName = () => `xf-${process.pid % 100000}-ctl`;
const zooTag = (i: number) => `f${i}`;
const sshds: ResultPromise[] = [];

/**
 * Hosts h0, h1, … one per program; 10.111.(81+i).1 is the controller's end of host i's veth, .2 the host's.
 * dir receives the keys and the sshd configs.
 */
export async function fleetUp(dir: string, programs: ZooOptions[]): Promise<Fleet> {
  await fleetDown(programs.length);
  const controller = controllerName();
  await run(['ip', 'netns', 'add', controller]);
  await run(['ip', '-n', controller, 'link', 'set', 'lo', 'up']);
  const key = join(dir, 'id_ed25519');
  await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'xdp-doctor fleet e2e', '-f', key]);
  // sshd refuses to start without its privilege separation directory (Debian's unit makes it at boot).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hosts: FleetHost[] = [];
  for (const [i, program] of programs.entries()) {
    const zoo = await zooUp(zooTag(i), program);
    const address = `10.111.${81 + i}.2`;
    const ctlEnd = `fc${i}`;
    await run(['ip', 'link', 'add', ctlEnd, 'netns', controller, 'type', 'veth', 'peer', 'name', 'ssh0', 'netns', zoo.server]);
    await run(['ip', '-n', controller, 'addr', 'add', `10.111.${81 + i}.1/24`, 'dev', ctlEnd]);
    await run(['ip', '-n', zoo.server, 'addr', 'add', `${address}/24`, 'dev', 'ssh0']);
    await run(['ip', '-n', controller, 'link', 'set', ctlEnd, 'up']);
    await run(['ip', '-n', zoo.server, 'link', 'set', 'ssh0', 'up']);
    const { sshd } = await startSshd(dir, `h${i}`, zoo.server, address, `${key}.pub`);
    hosts.push({ name: `h${i}`, zoo, address, sshd });
  }
  return { controller, hosts, key };
}

/** Wrapped: an async function returning the subprocess itself would wait for it to end (it is a promise). */
async function startSshd(dir: string, name: string, netns: string, address: string, publicKey: string): Promise<{ sshd: ResultPromise }> {
  const hostKey = join(dir, `${name}-host-key`);
  await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  const config = join(dir, `${name}-sshd_config`);
  writeFileSync(config, [
    `ListenAddress ${address}:22`,
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, `${name}-sshd.pid`)}`,
    `AuthorizedKeysFile ${publicKey}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // "Server listening on" (the readiness line) is logged at VERBOSE.
    'LogLevel VERBOSE',
    // The key and config live in a test directory, not in ~/.ssh with the modes sshd insists on there.
    'StrictModes no',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n'));
  // -D: in the foreground, owned by this test; -e: its log on stderr, where "Server listening" says it is ready.
  const sshd: ResultPromise = execa('nsenter', [`--net=/run/netns/${netns}`, '--', '/usr/sbin/sshd', '-D', '-e', '-f', config], { reject: false, stdin: 'ignore' });
  sshds.push(sshd);
  let log = '';
  await new Promise<void>((resolve, reject) => {
    sshd.stderr!.on('data', (b: Buffer) => { log += b.toString(); if (log.includes('Server listening on')) resolve(); });
    void sshd.then((r) => reject(new Error(`sshd in ${netns} ended (exit ${r.exitCode}) before listening: ${log.trim()}`)));
  });
  return { sshd };
}

/** Stops every sshd this process started and removes the controller and each host's namespaces. */
export async function fleetDown(count: number): Promise<void> {
  for (const p of sshds.splice(0)) {
    p.kill('SIGTERM');
    await p.catch(() => undefined);
  }
  for (let i = 0; i < count; i++) await zooDown(zooTag(i));
  await execa('ip', ['netns', 'del', controllerName()], { reject: false });
}
