// The zoo: small XDP programs that are not the lab's (test/zoo/*.c, built into bpf/build/zoo by `make -C bpf`),
// each on a two-namespace veth setup of its own. A "client" namespace pings a "server" namespace over one veth
// pair; the program under test runs on the server's end. Namespace names carry the test's pid so two runs
// cannot collide, and down() removes everything up() made.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT, requireLabEnvironment } from './cli.js';

export interface ZooSetup {
  client: string;
  server: string;
  /** Interface the program runs on (server side) and its veth peer (client side). */
  iface: string;
  peer: string;
  serverIp: string;
  clientIp: string;
  progId: number;
  /** Maps of the loaded program by name → id. */
  maps: Record<string, number>;
}

export interface ZooOptions {
  /** Object name in bpf/build/zoo without .o */
  program: string;
  mode?: 'xdpdrv' | 'xdpgeneric';
  /** A third namespace with a veth pair the program may redirect to (ifname zr0 in the server namespace). */
  redirectTarget?: boolean;
  /**
   * The client tags every frame it sends with VLAN 100 (tc egress, zoo_tc_vlan_tag: this kernel has no 8021q
   * module). `offloaded`: zc0 keeps tx-vlan-offload on (the default), so the tag rides beside the frame in the skb,
   * as a NIC with rx VLAN offload strips it; `inline`: tx-vlan-offload off, the tag is in the frame.
   */
  clientVlanTag?: 'offloaded' | 'inline';
}

const run = async (argv: string[]) => {
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, timeout: 20_000 });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: exit ${r.exitCode}: ${String(r.stderr).trim()}`);
  return String(r.stdout);
};

/** The zoo pair's IPv6 addresses (a ULA prefix that lives only in the test's namespaces). */
export const ZOO_V6 = { client: 'fd00:111:60::1', server: 'fd00:111:60::2' } as const;

export const zooObject = (program: string) => join(ROOT, 'bpf', 'build', 'zoo', `${program}.o`);

export function zooNames(tag: string) {
  const base = `${tag}${process.pid % 100000}`;
  return { client: `xz-${base}-c`, server: `xz-${base}-s` };
}

export async function zooDown(tag: string): Promise<void> {
  const { client, server } = zooNames(tag);
  for (const ns of [client, server]) await execa('ip', ['netns', 'del', ns], { reject: false });
}

export async function zooUp(tag: string, opts: ZooOptions): Promise<ZooSetup> {
  await requireLabEnvironment();
  const obj = zooObject(opts.program);
  if (!existsSync(obj)) throw new Error(`zoo object missing: ${obj}; run \`make -s -C bpf\` (or npm run setup)`);
  await zooDown(tag);
  const { client, server } = zooNames(tag);
  const s = (...a: string[]) => run(['ip', '-n', server, ...a]);
  const c = (...a: string[]) => run(['ip', '-n', client, ...a]);
  await run(['ip', 'netns', 'add', client]);
  await run(['ip', 'netns', 'add', server]);
  await run(['ip', 'link', 'add', 'zc0', 'netns', client, 'type', 'veth', 'peer', 'name', 'zs0', 'netns', server]);
  await c('addr', 'add', '10.111.60.1/24', 'dev', 'zc0');
  await s('addr', 'add', '10.111.60.2/24', 'dev', 'zs0');
  // Dual stack: the same pair over IPv6 (nodad: usable at once, no duplicate-address wait).
  await c('addr', 'add', `${ZOO_V6.client}/64`, 'dev', 'zc0', 'nodad');
  await s('addr', 'add', `${ZOO_V6.server}/64`, 'dev', 'zs0', 'nodad');
  for (const [f, ns] of [[c, client], [s, server]] as const) {
    void ns;
    await f('link', 'set', 'lo', 'up');
  }
  await c('link', 'set', 'zc0', 'up');
  await s('link', 'set', 'zs0', 'up');
  if (opts.clientVlanTag) {
    await run(['tc', '-n', client, 'qdisc', 'add', 'dev', 'zc0', 'clsact']);
    await run(['tc', '-n', client, 'filter', 'add', 'dev', 'zc0', 'egress', 'bpf', 'da', 'obj', zooObject('zoo_tc_vlan_tag'), 'sec', 'tc']);
    if (opts.clientVlanTag === 'inline') await run(['nsenter', `--net=/run/netns/${client}`, 'ethtool', '-K', 'zc0', 'txvlan', 'off']);
  }
  if (opts.redirectTarget) {
    await s('link', 'add', 'zr0', 'type', 'veth', 'peer', 'name', 'zr1');
    await s('link', 'set', 'zr0', 'up');
    await s('link', 'set', 'zr1', 'up');
  }
  await s('link', 'set', 'dev', 'zs0', opts.mode ?? 'xdpdrv', 'obj', obj, 'sec', 'xdp');
  const link = JSON.parse(await s('-j', '-d', 'link', 'show', 'dev', 'zs0'))[0];
  const progId: number = link.xdp?.prog?.id ?? link.xdp?.attached?.[0]?.prog?.id;
  if (!progId) throw new Error(`no XDP program on zs0 after load: ${JSON.stringify(link.xdp)}`);
  const prog = JSON.parse(await run(['bpftool', '-j', 'prog', 'show', 'id', String(progId)]));
  const maps: Record<string, number> = {};
  for (const id of prog.map_ids ?? []) {
    const m = JSON.parse(await run(['bpftool', '-j', 'map', 'show', 'id', String(id)]));
    maps[m.name] = id;
  }
  return { client, server, iface: 'zs0', peer: 'zc0', serverIp: '10.111.60.2', clientIp: '10.111.60.1', progId, maps };
}

/** bpftool map update with a u32 key and raw value bytes. */
export async function zooMapUpdate(mapId: number, key: number, value: number[]): Promise<void> {
  const le = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].map(String);
  await run(['bpftool', 'map', 'update', 'id', String(mapId), 'key', ...le(key), 'value', ...value.map(String)]);
}

/** The argv the CLI gets for a zoo setup: the server's interface, a ping from the client. */
export function zooArgs(z: ZooSetup, extra: string[] = [], probeIp = z.serverIp): string[] {
  return ['--iface', z.iface, '--netns', z.server, '--probe', `ping -c 3 -i 0.2 -W 1 ${probeIp}`, '--probe-netns', z.client, '--json', ...extra];
}
