// A forwarding XDP program (test/zoo/zoo_fib_fwd.c: bpf_fib_lookup, then bpf_redirect) on a router between two
// namespaces, through the built CLI as root on the real kernel. Expected before the tool was run on it:
// - forwarding off on the ingress device hr0: bpf_fib_lookup answers FWD_DISABLED, the program passes the ping,
//   and the router's stack drops it in ip_error() with IP_INADDRERRORS on hr0. The inventory reads fib_lookup and
//   redirect among the program's calls; helper-preconditions reads net/ipv4/conf/hr0/forwarding = 0 and, having seen
//   that drop, makes fib-forwarding-disabled the cause: diagnosis[0], with `sysctl -w net/ipv4/conf/hr0/forwarding=1`
//   (undo =0) as its fix; the kernel's stack-drop joins it. Exit 1, no rung in error.
// - forwarding on: the ping is forwarded (by XDP once the next hop is resolved), exit 0, helper-preconditions passes.
// - a route via a gateway nobody answers (10.112.3.0/24 via 10.112.2.99), forwarding on: bpf_fib_lookup answers
//   NO_NEIGH, the program passes, the stack asks ARP in vain and, ~3 s later, drops the queued packets with
//   NEIGH_FAILED. The probe lasts past that (6 pings, 0.6 s apart), so the drop is seen: fib-no-neighbour at
//   diagnosis[0] naming 10.112.2.99 on hr1, the stack's NEIGH_FAILED joined to it. Exit 1, no rung in error.
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { reportOf, runCli } from './helpers/cli.js';
import { routerArgs, routerDown, routerUp, type RouterSetup } from './helpers/zoo-router.js';

const TAG = 'f';

async function doctor(z: RouterSetup, probe?: string) {
  return reportOf(await runCli(routerArgs(z, ['--skip', 'trace-pipe'], probe)));
}

afterEach(async () => { await routerDown(TAG); });
afterAll(async () => { await routerDown(TAG); });

describe('the zoo router: bpf_fib_lookup across three namespaces', () => {
  test('forwarding off on the ingress device: fib-forwarding-disabled at diagnosis[0], with the sysctl fix', async () => {
    const z = await routerUp(TAG, { ingressForwarding: false });
    const { exitCode, report, byId, errored, causes } = await doctor(z);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.probe.ok).toBe(false);
    expect(causes[0]).toBe('fib-forwarding-disabled');
    const top = report.diagnosis[0];
    expect(top.fixes[0].commands).toEqual([['sysctl', '-w', 'net/ipv4/conf/hr0/forwarding=1']]);
    expect(top.fixes[0].undo).toEqual([['sysctl', '-w', 'net/ipv4/conf/hr0/forwarding=0']]);
    const said = top.evidence.map((e: any) => `${e.check}: ${e.message}`).join('\n');
    expect(said).toMatch(/helper-preconditions: .*forwarding is off on its ingress device hr0.*IP_INADDRERRORS/);
    expect(byId.inventory.evidence.find((e: any) => e.label === 'calls').data).toBe('fib_lookup ×1, redirect ×1');
    expect(byId['helper-preconditions'].status).toBe('fail');
    expect(byId['drop-reasons'].summary).toMatch(/IP_INADDRERRORS/);
  });

  test('forwarding on: the router forwards, exit 0, the preconditions pass', async () => {
    const z = await routerUp(TAG, { ingressForwarding: true });
    const { exitCode, report, byId, errored } = await doctor(z);
    expect(errored).toEqual([]);
    expect(report.probe.ok).toBe(true);
    expect(exitCode, JSON.stringify(report.diagnosis)).toBe(0);
    expect(byId['helper-preconditions'].status, byId['helper-preconditions'].summary).toBe('pass');
  });

  test('the next hop never answers ARP: fib-no-neighbour at diagnosis[0], joined by the stack\'s NEIGH_FAILED', async () => {
    const z = await routerUp(TAG, { ingressForwarding: true, deadGateway: true });
    const { exitCode, report, byId, errored, causes } = await doctor(z, 'ping -c 6 -i 0.6 -W 1 10.112.3.1');
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0], JSON.stringify(report.diagnosis.map((d: any) => [d.cause, d.evidence.map((e: any) => e.check)]))).toBe('fib-no-neighbour');
    const said = report.diagnosis[0].evidence.map((e: any) => `${e.check}: ${e.message}`).join('\n');
    expect(said).toMatch(/helper-preconditions: the next hop 10\.112\.2\.99 of 10\.112\.3\.1 has a neighbour entry in state (FAILED|INCOMPLETE) on hr1/);
    expect(said).toMatch(/drop-reasons: .*NEIGH_FAILED/);
    expect(byId['helper-preconditions'].status).toBe('fail');
  });
});
