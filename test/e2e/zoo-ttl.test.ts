// A router's ingress program that decrements the TTL and returns XDP_PASS (test/zoo/zoo_ttl_pass.c) on the zoo
// router (client → router hr0 (XDP) → server), through the built CLI as root on the real kernel. Expected before
// the tool was run on it, as an expert reads the program:
// - ping with TTL 2: the program makes it 1 (checksum updated correctly), the stack forwards and needs more than 1
//   to do so: ip_forward drops every request as IP_INHDR on hr0 and answers the client with ICMP time exceeded.
//   The cause is the program's change, not a malformed header: xdp-change-dropped at diagnosis[0], its evidence the
//   TTL 2 → 1 and the drops in the forwarding path; the header is sound (packet-sanity passes, no
//   malformed-packet). Exit 1, no rung in error.
// - over IPv6 (first expected like IPv4 with hop limit 2; the first run showed no echo request at all, and the
//   program, read again, lowers neighbour solicitations' hop limit too): the router ignores ND whose hop limit is
//   not 255, the client never resolves its gateway fd00:112:1::fe, and no probe packet is sent: neighbour-dropped
//   at diagnosis[0], never "unexplained". Exit 1, no rung in error.
// - the default TTL (64): 64 → 63, then 62 at the server; the replies come back: exit 0, nothing to diagnose.
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { recordArgs, reportOf, runCli } from './helpers/cli.js';
import { routerArgs, routerDown, routerUp, type RouterSetup } from './helpers/zoo-router.js';

const TAG = 't';
const doctor = async (z: RouterSetup, probe: string) => reportOf(await runCli(routerArgs(z, ['--skip', 'trace-pipe', ...recordArgs(expect.getState().currentTestName)], probe)));
const groups = (report: any) => report.packets.groups.map((g: any) => ({ action: g.action, kind: g.before.kind, changes: g.changes }));

afterEach(async () => { await routerDown(TAG); });
afterAll(async () => { await routerDown(TAG); });

describe('a TTL decrement before the stack forwards (the double decrement)', () => {
  test('IPv4: TTL 2 → 1 by the program, then time-exceeded in the stack\'s forwarding: the change is the cause, the header is sound', async () => {
    const z = await routerUp(TAG, { ingressForwarding: true, program: 'zoo_ttl_pass' });
    const { exitCode, report, byId, errored, causes, said } = await doctor(z, `ping -c 3 -i 0.2 -W 1 -t 2 ${z.serverIp}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-change-dropped');
    expect(said).toMatch(/the program sets the TTL 2 → 1 and returns XDP_PASS; the kernel dropped 3 packet\(s\) of the flow for it: the stack forwards the packet and needs a TTL above 1 to do so/);
    expect(said).toMatch(/IP_INHDR ×3 at hr0 .* in ip_forward/);
    expect(said).toMatch(/drop-reasons: .*IP_INHDR.*: the TTL \(IPv6: hop limit\) was 1 or less where the stack forwards the packet/);
    expect(causes).not.toContain('malformed-packet');
    expect(byId['packet-sanity'].status).toBe('pass');
    expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: 'ipv4', changes: [{ field: 'ip.ttl', before: '2', after: '1' }] });
  });

  // The program lowers every IPv6 hop limit, neighbour solicitations' too: the router ignores an NS whose hop limit
  // is not 255, the client never resolves its gateway, and no echo request is ever sent.
  test('IPv6: neighbour discovery with its hop limit lowered is ignored: the client never resolves the router', async () => {
    const z = await routerUp(TAG, { ingressForwarding: true, program: 'zoo_ttl_pass' });
    const { exitCode, report, errored, causes, said } = await doctor(z, `ping -6 -c 3 -i 0.2 -W 1 ${z.serverIp6}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('neighbour-dropped');
    expect(said).toMatch(/the program changes the hop limit of \d+ of \d+ IPv6 neighbour discovery frame\(s\) on hr0 \(255 → 254\) and returns XDP_PASS; the kernel ignores neighbour discovery whose hop limit is not 255 .*: the client never resolved fd00:112:1::fe/);
    expect(said).toMatch(/no packet of the probe itself reached the program: it was never sent/);
    expect(causes).not.toContain('malformed-packet');
    expect(report.diagnosis.find((d: any) => d.cause === 'probe-failed-unexplained')).toBeUndefined();
  });

  test('the default TTL: decremented twice and still delivered, exit 0', async () => {
    const z = await routerUp(TAG, { ingressForwarding: true, program: 'zoo_ttl_pass' });
    const { exitCode, report, errored } = await doctor(z, `ping -c 3 -i 0.2 -W 1 ${z.serverIp}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.diagnosis).toEqual([]);
  });
});
