// src/probe-flow.ts, the decisions at their edges: which words are addresses and ports, which options take a
// value, each probe's default port and protocol switch, and the spellings each command is known by. The inputs are
// command lines as an operator types them (argv), not tool output.
import { describe, expect, it } from 'vitest';
import { canonicalIp, captureFilterOf, flowOfProbe, isIpv6Literal } from '../../src/probe-flow.js';

const flow = (cmd: string) => flowOfProbe(cmd.split(' '));

describe('addresses and ports', () => {
  it('IPv4: each octet 0–255, four of them, nothing around them', () => {
    for (const ip of ['0.0.0.0', '255.255.255.255', '249.250.199.9', '10.249.0.1', '10.0.0.1']) expect(flow(`ping ${ip}`), ip).toEqual({ ip, proto: 'icmp' });
    for (const ip of ['256.0.0.1', '10.0.0.256', '10.0.0', '10.0.0.1.2', '1000.0.0.1', 'x10.0.0.1', '10.0.0.1x', '10.0.0.-1', '10..0.1'])
      expect(flow(`ping ${ip}`), ip).toBeUndefined();
  });

  it('a port is 1–65535 in at most five digits; anything else is no port', () => {
    expect(flow('nc 10.0.0.1 65535')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 65535 });
    expect(flow('nc 10.0.0.1 1')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 1 });
    for (const p of ['0', '65536', '99999', '123456', 'http', '8o', '+80', '0x50', '1e3']) expect(flow(`nc 10.0.0.1 ${p}`), p).toEqual({ ip: '10.0.0.1', proto: 'tcp' });
    expect(flow('nc 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'tcp' });
  });

  it('IPv6 literal: has a colon and parses; canonical form only for IPv6', () => {
    expect(isIpv6Literal('fd00::1')).toBe(true);
    expect(isIpv6Literal('10.0.0.1')).toBe(false);
    expect(isIpv6Literal('fd00::g')).toBe(false);
    expect(canonicalIp('FD00:0000::0001')).toBe('fd00::1');
    expect(canonicalIp('not:an:address')).toBe('not:an:address');
  });
});

describe('options that take a value are not the address', () => {
  it('ping: every option of PING_VALUE swallows the next word; a flag does not', () => {
    for (const o of ['-c', '-i', '-W', '-w', '-s', '-t', '-I', '-l', '-p', '-Q', '-S', '-M', '-m', '-F', '-T'])
      expect(flow(`ping ${o} 10.9.9.9 10.0.0.1`), o).toEqual({ ip: '10.0.0.1', proto: 'icmp' });
    expect(flow('ping -n 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'icmp' });
    expect(flow('ping -4 -q 10.0.0.1 10.0.0.2')).toEqual({ ip: '10.0.0.1', proto: 'icmp' });
  });

  it('nc: every option of NC_VALUE swallows the next word; -z, -v, -n do not', () => {
    for (const o of ['-p', '-s', '-w', '-i', '-q', '-X', '-x', '-I', '-O', '-T', '-V', '-W', '-M', '-m', '-P'])
      expect(flow(`nc ${o} 10.9.9.9 10.0.0.1 80`), o).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 80 });
    expect(flow('nc -z -v -n 10.0.0.1 80')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 80 });
  });

  it('hping3: every option of HPING_VALUE swallows the next word', () => {
    for (const o of ['-c', '-i', '-s', '-t', '-d', '-I', '-a', '-w', '-o', '-N', '-H', '-g', '-m', '-E', '-e', '-k', '-M', '-L', '-O', '-Q', '-W', '-b'])
      expect(flow(`hping3 ${o} 10.9.9.9 10.0.0.1`), o).toEqual({ ip: '10.0.0.1', proto: 'tcp' });
    expect(flow('hping3 -p 10.9.9.9 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'tcp' });
  });
});

describe('each probe\'s names, protocol and default port', () => {
  it('the ping family by its command name (with a path), and only those names', () => {
    for (const c of ['ping', 'ping4', 'ping6', 'fping', 'fping6', 'arping', '/usr/sbin/arping'])
      expect(flow(`${c} 10.0.0.1`), c).toEqual({ ip: '10.0.0.1', proto: 'icmp' });
    for (const c of ['xping', 'pinger', 'ping7', 'tcping']) expect(flow(`${c} 10.0.0.1`), c).toBeUndefined();
    expect(flow('ping -c 1')).toBeUndefined();
  });

  it('netcat by every name; its first positional must be an address', () => {
    for (const c of ['nc', 'ncat', 'netcat', 'nc.openbsd', 'nc.traditional', '/bin/nc'])
      expect(flow(`${c} -u 10.0.0.1 53`), c).toEqual({ ip: '10.0.0.1', proto: 'udp', port: 53 });
    for (const c of ['ncx', 'xnc', 'ncXopenbsd']) expect(flow(`${c} 10.0.0.1 53`), c).toBeUndefined();
    expect(flow('nc -l 8080')).toBeUndefined();
    expect(flow('nc -z')).toBeUndefined();
  });

  it('curl and wget: the first URL with an address; ftp defaults to 21; a host name or another scheme is no URL', () => {
    expect(flow('curl ftp://10.0.0.1/file')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 21 });
    expect(flow('wget https://10.0.0.1:8443/')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 8443 });
    expect(flow('curl http://example.com/ http://10.0.0.2/')).toEqual({ ip: '10.0.0.2', proto: 'tcp', port: 80 });
    expect(flow('curl gopher://10.0.0.1/')).toBeUndefined();
    expect(flow('curl -v xhttp://10.0.0.1/')).toBeUndefined();
    expect(flow('curl http://example.com/')).toBeUndefined();
    expect(flow('curl http://[FD00::1]/')).toEqual({ ip: 'fd00::1', proto: 'tcp', port: 80 });
    expect(flow('curl http://10.0.0.1:0/')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 80 });
    expect(flow('curlx http://10.0.0.1/')).toBeUndefined();
  });

  it('socat: the address words it connects with, TCP or UDP by their prefix, in any case', () => {
    expect(flow('socat - udp4-sendto:10.0.0.1:5000')).toEqual({ ip: '10.0.0.1', proto: 'udp', port: 5000 });
    expect(flow('socat - UDP6-CONNECT:[fd00::1]:53')).toEqual({ ip: 'fd00::1', proto: 'udp', port: 53 });
    expect(flow('socat - TCP-CONNECT:10.0.0.1:80')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 80 });
    expect(flow('socat - TCP:example.com:80')).toBeUndefined();
    expect(flow('socat - XTCP:10.0.0.1:80')).toBeUndefined();
    expect(flow('socat - TCP:999.0.0.1:80')).toBeUndefined();
    expect(flow('socat STDIO EXEC:cat')).toBeUndefined();
    expect(flow('socat - TCP:10.0.0.1:22')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 22 });
    expect(flow('socat - UDP4:10.0.0.1:53')).toEqual({ ip: '10.0.0.1', proto: 'udp', port: 53 });
    expect(flow('socat - TCP4-CONNECT:10.0.0.1:80')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 80 });
  });

  it('dig and kdig: @address, UDP unless +tcp, port 53 unless a valid -p', () => {
    expect(flow('kdig @10.0.0.53 x')).toEqual({ ip: '10.0.0.53', proto: 'udp', port: 53 });
    expect(flow('dig -p 0 @10.0.0.53 x')).toEqual({ ip: '10.0.0.53', proto: 'udp', port: 53 });
    expect(flow('dig @10.0.0.53 x -p')).toEqual({ ip: '10.0.0.53', proto: 'udp', port: 53 });
    expect(flow('dig @ns1.example.com x')).toBeUndefined();
    expect(flow('dig example.com')).toBeUndefined();
    expect(flow('dig x @10.0.0.53 -p 5353')).toEqual({ ip: '10.0.0.53', proto: 'udp', port: 5353 });
    expect(flow('dig -p 5353 @10.0.0.53 x')).toEqual({ ip: '10.0.0.53', proto: 'udp', port: 5353 });
    // A reverse lookup through the system's resolver: the address is the question, not the server.
    expect(flow('dig -x 10.0.0.1')).toBeUndefined();
  });

  it('hping3 and hping: --icmp, --udp, the + of an incrementing port, no port without -p', () => {
    expect(flow('hping --icmp 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'icmp' });
    expect(flow('hping3 --udp -p 53 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'udp', port: 53 });
    expect(flow('hping3 -S -p ++80 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 80 });
    expect(flow('hping3 -S -p +443 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 443 });
    expect(flow('hping3 -S 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'tcp' });
    expect(flow('hping3 -S example.com')).toBeUndefined();
    expect(flow('hping3 -p 8080 -S 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 8080 });
    expect(flow('hping3 -S 10.0.0.1 -p')).toEqual({ ip: '10.0.0.1', proto: 'tcp' });
  });

  it('iperf and iperf3: -c address, UDP with -u, 5001 or 5201 unless a valid -p', () => {
    expect(flow('iperf -c 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 5001 });
    expect(flow('iperf -u -c 10.0.0.1 -p 7000')).toEqual({ ip: '10.0.0.1', proto: 'udp', port: 7000 });
    expect(flow('iperf3 -c 10.0.0.1 -p 70000')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 5201 });
    expect(flow('iperf3 -s')).toBeUndefined();
    expect(flow('iperf3 -c example.com')).toBeUndefined();
    expect(flow('iperf3 -c')).toBeUndefined();
    expect(flow('iperf3 10.0.0.1')).toBeUndefined();
    expect(flow('iperf3 -p 6000 -c 10.0.0.1')).toEqual({ ip: '10.0.0.1', proto: 'tcp', port: 6000 });
    expect(flow('my-probe -c 10.0.0.1')).toBeUndefined();
  });
});

describe('captureFilterOf: UDP with a port, IPv6 UDP', () => {
  it('the port is filtered for UDP as for TCP; IPv6 neighbour discovery rather than ARP', () => {
    const f = captureFilterOf({ ip: 'fd00::2', proto: 'udp', port: 53 });
    expect(f.slice(0, 9)).toEqual(['(', '(', 'udp', 'and', 'host', 'fd00::2', 'and', 'port', '53']);
    expect(f).not.toContain('arp');
    expect(f.filter((w) => w === 'icmp6')).toHaveLength(2);
  });
});
