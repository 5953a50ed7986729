// src/probe-flow.ts: the flow a probe command sends, for each probe people use, and the capture filter for it.
import { describe, expect, it } from 'vitest';
import { captureFilterOf, flowOfProbe } from '../../src/probe-flow.js';

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
  it('follows the flow in both directions', () => {
    expect(captureFilterOf({ ip: '10.0.0.1', proto: 'icmp' })).toEqual(['icmp', 'and', 'host', '10.0.0.1']);
    expect(captureFilterOf({ ip: '10.0.0.1', proto: 'tcp', port: 80 })).toEqual(['tcp', 'and', 'host', '10.0.0.1', 'and', 'port', '80']);
    expect(captureFilterOf({ ip: '10.0.0.1', proto: 'udp' })).toEqual(['udp', 'and', 'host', '10.0.0.1']);
  });
});
