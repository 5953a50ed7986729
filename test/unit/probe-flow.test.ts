// src/probe-flow.ts: the flow a probe command sends, for each probe people use, and the capture filter for it.
import { describe, expect, it } from 'vitest';
import { canonicalIp, captureFilterOf, flowOfProbe, isIpv6Literal } from '../../src/probe-flow.js';

const flow = (cmd: string) => flowOfProbe(cmd.split(' '));

describe('flowOfProbe', () => {
  it('ping: ICMP to the address, options with values skipped', () => {
    expect(flow('ping -c 3 -i 0.2 -W 1 10.111.60.2')).toEqual({ ip: '10.111.60.2', proto: 'icmp' });
    expect(flow('/usr/bin/ping -I 10.0.0.9 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'icmp' });
  });
  it('nc: TCP or UDP (-u) to host and port', () => {
    expect(flow('nc -z -w 2 192.168.10.1 50002')).toEqual({ ip: '192.168.10.1', proto: 'tcp', port: 50002 });
    expect(flow('nc -u -w1 10.0.0.5 53')).toEqual({ ip: '10.0.0.5', proto: 'udp', port: 53 });
    expect(flow('nc -s 10.0.0.9 -p 4000 10.0.0.1 80')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 80 });
  });
  it('curl and wget: the URL\'s address and port (scheme default)', () => {
    expect(flow('curl -s http://10.0.0.1:8080/health')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 8080 });
    expect(flow('curl https://10.0.0.2/')).toEqual({ ip: '10.0.0.2', proto: 'tcp', port: 443 });
    expect(flow('wget -q -O- http://10.0.0.3')).toEqual({ ip: '10.0.0.3', proto: 'tcp', port: 80 });
  });
  it('socat, dig, hping3, iperf3', () => {
    expect(flow('socat - UDP:10.0.0.1:5000')).toEqual({ ip: '10.0.0.1', proto: 'udp', port: 5000 });
    expect(flow('socat - TCP4:10.0.0.1:22')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 22 });
    expect(flow('dig @10.0.0.53 example.com')).toEqual({ ip: '10.0.0.53', proto: 'udp', port: 53 });
    expect(flow('dig +tcp -p 5353 @10.0.0.53 x')).toEqual({ ip: '10.0.0.53', proto: 'tcp', port: 5353 });
    expect(flow('hping3 -S -p 80 -c 3 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 80 });
    expect(flow('hping3 -1 -c 3 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'icmp' });
    expect(flow('hping3 -2 -p 53 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'udp', port: 53 });
    expect(flow('iperf3 -c 10.0.0.1 -t 1')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 5201 });
    expect(flow('iperf3 -u -c 10.0.0.1 -p 6000')).toEqual({ ip: '10.0.0.1', proto: 'udp', port: 6000 });
  });
  it('host names, unknown commands and missing addresses: no guess', () => {
    expect(flow('ping -c 1 example.com')).toBeUndefined();
    expect(flow('nc example.com 80')).toBeUndefined();
    expect(flow('my-probe 10.0.0.1')).toBeUndefined();
    expect(flow('ping -c 3 300.1.1.1')).toBeUndefined();
    expect(flowOfProbe([])).toBeUndefined();
  });
});

describe('captureFilterOf', () => {
  // Each flow filter F is asked for twice: ( F ) or ( vlan and ( F ) ), so a frame with its 802.1Q tag inline matches.
  const tagged = (f: string[]) => ['(', ...f, ')', 'or', '(', 'vlan', 'and', '(', ...f, ')', ')'];
  it('follows the flow in both directions, and the ARP about its address', () => {
    const arp = (ip: string) => ['or', '(', 'arp', 'and', 'host', ip, ')'];
    expect(captureFilterOf({ ip: '10.0.0.1', proto: 'icmp' })).toEqual(tagged(['(', 'icmp', 'and', 'host', '10.0.0.1', ')', ...arp('10.0.0.1')]));
    expect(captureFilterOf({ ip: '10.0.0.1', proto: 'tcp', port: 80 })).toEqual(tagged(['(', 'tcp', 'and', 'host', '10.0.0.1', 'and', 'port', '80', ')', ...arp('10.0.0.1')]));
    expect(captureFilterOf({ ip: '10.0.0.1', proto: 'udp' })).toEqual(tagged(['(', 'udp', 'and', 'host', '10.0.0.1', ')', ...arp('10.0.0.1')]));
  });
  it('IPv6: icmp6 for ICMP, and neighbour solicitations and advertisements by type (they go to a multicast address)', () => {
    const nd = ['or', '(', 'icmp6', 'and', '(', 'ip6[40]', '==', '135', 'or', 'ip6[40]', '==', '136', ')', ')'];
    expect(captureFilterOf({ ip: 'fd00::2', proto: 'icmp' })).toEqual(tagged(['(', 'icmp6', 'and', 'host', 'fd00::2', ')', ...nd]));
    expect(captureFilterOf({ ip: 'fd00::2', proto: 'tcp', port: 8081 })).toEqual(tagged(['(', 'tcp', 'and', 'host', 'fd00::2', 'and', 'port', '8081', ')', ...nd]));
  });
  it('tcpdump compiles it (-d), the tagged half included', async () => {
    const { execa } = await import('execa');
    const r = await execa('tcpdump', ['-d', ...captureFilterOf({ ip: '10.0.0.1', proto: 'tcp', port: 80 })], { reject: false });
    expect(r.stderr).not.toMatch(/syntax error/);
    expect(r.exitCode).toBe(0);
  });
});

describe('IPv6 probes', () => {
  it('ping -6, ping6, nc -6, URLs with [addr], socat TCP6, dig @addr: the address in canonical form', () => {
    expect(flow('ping -6 -c 3 fd00:111:60::2')).toEqual({ ip: 'fd00:111:60::2', proto: 'icmp' });
    expect(flow('ping6 -c 1 FD00:0111:0060:0:0:0:0:2')).toEqual({ ip: 'fd00:111:60::2', proto: 'icmp' });
    expect(flow('nc -6 -z -w 2 fd00:111:60::2 8081')).toEqual({ ip: 'fd00:111:60::2', proto: 'tcp', port: 8081 });
    expect(flow('curl -s http://[fd00::1]:8080/x')).toEqual({ ip: 'fd00::1', proto: 'tcp', port: 8080 });
    expect(flow('socat - TCP6:[fd00::1]:22')).toEqual({ ip: 'fd00::1', proto: 'tcp', port: 22 });
    expect(flow('dig @fd00::53 example.com')).toEqual({ ip: 'fd00::53', proto: 'udp', port: 53 });
    expect(flow('ping -c 1 ::ffff:10.0.0.1')).toEqual({ ip: '::ffff:a00:1', proto: 'icmp' });
  });
  it('not an address: no guess', () => {
    expect(flow('ping -6 fd00::1::2')).toBeUndefined();
    expect(flow('ping -6 fd00:1:2:3:4:5:6:7:8')).toBeUndefined();
    expect(flow('ping -6 example.com')).toBeUndefined();
    expect(isIpv6Literal('1:2:3:4:5:6:7:8')).toBe(true);
    expect(isIpv6Literal('1:2:3:4:5:6:7')).toBe(false);
  });
  it('canonical form: lower case, the longest zero run as ::', () => {
    expect(canonicalIp('FD00:0:0:1:0:0:0:2')).toBe('fd00:0:0:1::2');
    expect(canonicalIp('fd00::')).toBe('fd00::');
    expect(canonicalIp('10.0.0.1')).toBe('10.0.0.1');
  });
});
