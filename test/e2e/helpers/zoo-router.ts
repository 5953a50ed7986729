// A zoo router: three namespaces — client, router, server — with a forwarding XDP program on the router's
// ingress (zoo_fib_fwd: bpf_fib_lookup, then bpf_redirect to the egress). Client hc0 10.112.1.1/24 — router
// hr0 10.112.1.254/24 (XDP), hr1 10.112.2.254/24 — server hs0 10.112.2.1/24 (xdp_pass, so its veth queue has NAPI
// and takes the redirected frames). Dual stack: the same over fd00:112:1::/64 and fd00:112:2::/64, forwarding on for
// both families. Names carry the test's pid; down() removes what up() made.
import { execa } from 'execa';
import { join } from 'node:path';
import { ROOT, requireLabEnvironment } from './cli.js';

export interface RouterSetup { client: string; router: string; server: string; iface: string; serverIp: string; serverIp6: string; progId: number }

/** The router's IPv6 addresses (ULA prefixes that live only in the test's namespaces). */
const V6 = { client: 'fd00:112:1::1', routerIn: 'fd00:112:1::fe', routerOut: 'fd00:112:2::fe', server: 'fd00:112:2::1' } as const;

const run = async (argv: string[]) => {
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, timeout: 20_000 });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: exit ${r.exitCode}: ${String(r.stderr).trim()}`);
  return String(r.stdout);
};

export function routerNames(tag: string) {
  const base = `xh-${tag}${process.pid % 100000}`;
  return { client: `${base}-c`, router: `${base}-r`, server: `${base}-s` };
}

export async function routerDown(tag: string): Promise<void> {
  for (const ns of Object.values(routerNames(tag))) await execa('ip', ['netns', 'del', ns], { reject: false });
}

/**
 * `ingressForwarding: false` turns IPv4 forwarding off on hr0 alone (all=1, hr1=1): bpf_fib_lookup says FWD_DISABLED.
 * `deadGateway` routes 10.112.3.0/24 via 10.112.2.99 on hr1, an address nobody answers ARP for: NO_NEIGH, then the
 * stack's own resolution fails (NEIGH_FAILED).
 */
export async function routerUp(tag: string, opts: { ingressForwarding: boolean; deadGateway?: boolean; program?: string }): Promise<RouterSetup> {
  await requireLabEnvironment();
  await routerDown(tag);
  const { client, router, server } = routerNames(tag);
  for (const ns of [client, router, server]) {
    await run(['ip', 'netns', 'add', ns]);
    await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  await run(['ip', 'link', 'add', 'hc0', 'netns', client, 'type', 'veth', 'peer', 'name', 'hr0', 'netns', router]);
  await run(['ip', 'link', 'add', 'hr1', 'netns', router, 'type', 'veth', 'peer', 'name', 'hs0', 'netns', server]);
  const addrs: [string, string, string][] = [[client, 'hc0', '10.112.1.1/24'], [router, 'hr0', '10.112.1.254/24'], [router, 'hr1', '10.112.2.254/24'], [server, 'hs0', '10.112.2.1/24']];
  const addrs6: [string, string, string][] = [[client, 'hc0', V6.client], [router, 'hr0', V6.routerIn], [router, 'hr1', V6.routerOut], [server, 'hs0', V6.server]];
  for (const [ns, dev, a] of addrs) {
    await run(['ip', '-n', ns, 'addr', 'add', a, 'dev', dev]);
    await run(['ip', '-n', ns, 'link', 'set', dev, 'up']);
  }
  // nodad: usable at once, no duplicate-address wait.
  for (const [ns, dev, a] of addrs6) await run(['ip', '-n', ns, 'addr', 'add', `${a}/64`, 'dev', dev, 'nodad']);
  await run(['ip', '-n', client, 'route', 'add', 'default', 'via', '10.112.1.254']);
  await run(['ip', '-n', server, 'route', 'add', 'default', 'via', '10.112.2.254']);
  await run(['ip', '-n', client, '-6', 'route', 'add', 'default', 'via', V6.routerIn]);
  await run(['ip', '-n', server, '-6', 'route', 'add', 'default', 'via', V6.routerOut]);
  const sysctl = (kv: string) => run(['nsenter', `--net=/run/netns/${router}`, 'sysctl', '-qw', kv]);
  await sysctl('net.ipv4.conf.all.forwarding=1');
  await sysctl('net.ipv6.conf.all.forwarding=1');
  if (!opts.ingressForwarding) await sysctl('net/ipv4/conf/hr0/forwarding=0');
  if (opts.deadGateway) await run(['ip', '-n', router, 'route', 'add', '10.112.3.0/24', 'via', '10.112.2.99', 'dev', 'hr1']);
  await run(['ip', '-n', server, 'link', 'set', 'dev', 'hs0', 'xdpdrv', 'obj', join(ROOT, 'bpf', 'build', 'xdp_pass.o'), 'sec', 'xdp']);
  await run(['ip', '-n', router, 'link', 'set', 'dev', 'hr0', 'xdpdrv', 'obj', join(ROOT, 'bpf', 'build', 'zoo', `${opts.program ?? 'zoo_fib_fwd'}.o`), 'sec', 'xdp']);
  const link = JSON.parse(await run(['ip', '-n', router, '-j', '-d', 'link', 'show', 'dev', 'hr0']))[0];
  const progId: number = link.xdp?.prog?.id ?? link.xdp?.attached?.[0]?.prog?.id;
  if (!progId) throw new Error(`no XDP program on hr0 after load: ${JSON.stringify(link.xdp)}`);
  return { client, router, server, iface: 'hr0', serverIp: '10.112.2.1', serverIp6: V6.server, progId };
}

export function routerArgs(z: RouterSetup, extra: string[] = [], probe = `ping -c 3 -i 0.2 -W 1 ${z.serverIp}`): string[] {
  return ['--iface', z.iface, '--netns', z.router, '--probe', probe, '--probe-netns', z.client, '--json', ...extra];
}
