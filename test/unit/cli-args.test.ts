// src/cli-args.ts: every value from the user is validated before it can reach a command.
import { describe, it, expect } from 'vitest';
import { parseExpectation, parseLadderArgs, parseProbe, UsageError, validIfname, validNetns } from '../../src/cli-args.js';

const usage = (argv: string[]) => {
  try { parseLadderArgs(argv); } catch (e) { return e; }
  return undefined;
};

describe('parseLadderArgs', () => {
  it('defaults', () => {
    expect(parseLadderArgs([])).toEqual({
      help: false, version: false, lab: false, labName: 'xdpd',
      iface: undefined, netns: undefined, container: undefined, progId: undefined,
      probe: undefined, probeNetns: undefined, windowMs: 3000, fullWindow: false, expect: [],
      nonInteractive: false, json: false, report: undefined, dryRun: false, verbose: false,
      fix: false, noTracePipe: false, checks: undefined, skip: undefined, config: undefined, plugins: [],
    });
  });

  it('an unknown flag is a UsageError of one line', () => {
    const e = usage(['--bogus']);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toContain("'--bogus'");
    expect((e as Error).message).not.toContain('\n');
  });

  it('a positional argument is a UsageError', () => {
    expect(usage(['--iface', 'l0', 'extra'])).toBeInstanceOf(UsageError);
  });

  it('--iface with shell characters is rejected before anything runs', () => {
    const e = usage(['--iface', 'x;touch /tmp/pwned']);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/^--iface "x;touch \/tmp\/pwned" is not a valid interface name/);
    for (const bad of ['x;y', 'a$(id)', 'a`id`', 'a|b', 'a&b', "a'b", 'a"b', 'a>b', 'a\\b']) {
      expect(usage(['--iface', bad]), bad).toBeInstanceOf(UsageError);
    }
  });

  it('interface names: 1 to 15 characters (IFNAMSIZ - 1), no "/", whitespace, ":" or "." / ".."', () => {
    expect(parseLadderArgs(['--iface', 'abcdefghijklmno']).iface).toBe('abcdefghijklmno'); // 15
    expect(usage(['--iface', 'abcdefghijklmnop'])).toBeInstanceOf(UsageError); // 16
    expect(usage(['--iface', ''])).toBeInstanceOf(UsageError);
    for (const bad of ['a/b', 'a b', 'eth0:1', '.', '..']) expect(validIfname(bad), bad).toBe(false);
    for (const good of ['l0', 'eth0', 'veth-a.10', 'enp3s0f1np1']) expect(validIfname(good), good).toBe(true);
    expect(parseLadderArgs(['-i', 'l0']).iface).toBe('l0');
  });

  it('--netns takes a name or a path under /run/netns, /var/run/netns or /proc/PID/ns/net', () => {
    expect(parseLadderArgs(['--iface', 'l0', '--netns', 'xdpd-lb']).netns).toBe('xdpd-lb');
    expect(parseLadderArgs(['--iface', 'l0', '--netns', '/run/netns/xdpd-lb']).netns).toBe('/run/netns/xdpd-lb');
    expect(parseLadderArgs(['--iface', 'l0', '--netns', '/proc/1234/ns/net']).netns).toBe('/proc/1234/ns/net');
    expect(parseLadderArgs(['--iface', 'l0', '--netns', '/var/run/netns/lb']).netns).toBe('/var/run/netns/lb');
    for (const bad of ['/etc/passwd', '/run/netns/../../etc/shadow', '/proc/self/ns/net', '../lb', 'a b', '..', 'lb;id', 'x'.repeat(65)]) {
      expect(usage(['--iface', 'l0', '--netns', bad]), bad).toBeInstanceOf(UsageError);
    }
    expect(validNetns('.')).toBe(false);
    expect(usage(['--probe', 'ping -c1 10.0.0.1', '--probe-netns', '/tmp/ns'])).toBeInstanceOf(UsageError);
    expect(parseLadderArgs(['--probe', 'ping -c1 10.0.0.1', '--probe-netns', 'xdpd-client']).probeNetns).toBe('xdpd-client');
  });

  it('--netns and --container exclude each other', () => {
    expect((usage(['--iface', 'l0', '--netns', 'lb', '--container', 'web']) as Error).message).toBe('give --netns or --container, not both');
  });

  it('--prog is a positive program id', () => {
    expect(parseLadderArgs(['--iface', 'l0', '--prog', '137']).progId).toBe(137);
    for (const bad of ['0', '-1', '01', '1.5', '0x10', 'abc', '12345678901']) {
      expect(usage(['--iface', 'l0', '--prog', bad]), bad).toBeInstanceOf(UsageError);
    }
  });

  it('--window is milliseconds between 100 and 600000', () => {
    expect(parseLadderArgs(['--window', '100']).windowMs).toBe(100);
    expect(parseLadderArgs(['--window', '600000']).windowMs).toBe(600000);
    for (const bad of ['99', '600001', '1000000', '5s', '-100', '', '1e3']) {
      expect(usage(['--window', bad]), bad).toBeInstanceOf(UsageError);
    }
  });

  it('--expect MAP.FIELD=VALUE, repeatable', () => {
    expect(parseLadderArgs(['--expect', 'xdp_params_array.vip=192.168.10.1', '--expect', 'xdp_params_array.dst_mac=02:42:0a:6f:dd:0c']).expect).toEqual([
      { map: 'xdp_params_array', field: 'vip', value: '192.168.10.1' },
      { map: 'xdp_params_array', field: 'dst_mac', value: '02:42:0a:6f:dd:0c' },
    ]);
    expect(parseExpectation('xdp_lb.rodata.x=1')).toEqual({ map: 'xdp_lb', field: 'rodata.x', value: '1' });
    for (const bad of ['vip=1', 'map.vip', 'map.vip=', 'map.vip=$(id)', 'map.vip=1;2', '.vip=1', 'map.vip=a b']) {
      expect(() => parseExpectation(bad), bad).toThrow(UsageError);
    }
  });

  it('--lab with --iface (or --netns, --container) is rejected', () => {
    expect((usage(['--lab', '--iface', 'l0']) as Error).message).toMatch(/^--lab targets the built-in lab; do not combine it with --iface/);
    expect(usage(['--lab', '--netns', 'lb'])).toBeInstanceOf(UsageError);
    expect(usage(['--lab', '--container', 'web'])).toBeInstanceOf(UsageError);
    expect(parseLadderArgs(['--lab', '--lab-name', 'ut1']).labName).toBe('ut1');
    expect(usage(['--lab', '--lab-name', 'Way-too-long-name'])).toBeInstanceOf(UsageError);
  });

  it('--checks and --skip are lists of check ids', () => {
    expect(parseLadderArgs(['--checks', 'preflight, routing,team/latency']).checks).toEqual(['preflight', 'routing', 'team/latency']);
    expect(usage(['--skip', 'routing,Bad Id'])).toBeInstanceOf(UsageError);
  });

  it('--report must end in .md or .json', () => {
    expect(parseLadderArgs(['--report', 'run.md']).report).toBe('run.md');
    expect(usage(['--report', 'run.txt'])).toBeInstanceOf(UsageError);
  });

  it('--probe is split into argv', () => {
    expect(parseLadderArgs(['--probe', 'nc -z -w 2 192.168.10.1 50002']).probe).toEqual(['nc', '-z', '-w', '2', '192.168.10.1', '50002']);
  });
});

describe('parseProbe', () => {
  it('quotes group words, backslash escapes, nothing else happens', () => {
    expect(parseProbe(`curl -s -H 'Host: a b' "http://10.0.0.1/x y"`)).toEqual(['curl', '-s', '-H', 'Host: a b', 'http://10.0.0.1/x y']);
    expect(parseProbe('echo a\\ b "say \\"hi\\"" \'it\'\\\'\'s\'')).toEqual(['echo', 'a b', 'say "hi"', "it's"]);
    expect(parseProbe('printf ""')).toEqual(['printf', '']);
    expect(parseProbe('  nc   -z  ')).toEqual(['nc', '-z']);
  });

  it('shell metacharacters are plain bytes of an argument: no expansion, no pipes, no redirection', () => {
    expect(parseProbe('echo $HOME `id` $(id) | cat > /tmp/x; rm -rf ~ && *')).toEqual(
      ['echo', '$HOME', '`id`', '$(id)', '|', 'cat', '>', '/tmp/x;', 'rm', '-rf', '~', '&&', '*']);
  });

  it('refuses a shell as the program, by name or path', () => {
    for (const sh of ['sh -c "id"', 'bash -c id', '/bin/sh -c id', '/usr/bin/bash', 'dash', 'zsh -c id', 'ksh']) {
      expect(() => parseProbe(sh), sh).toThrow(/never through a shell/);
    }
    expect(parseProbe('bashful')).toEqual(['bashful']);
  });

  it('unterminated quotes and empty commands are UsageErrors', () => {
    expect(() => parseProbe('nc "10.0.0.1')).toThrow(/unterminated " quote/);
    expect(() => parseProbe("nc '10.0.0.1")).toThrow(/unterminated ' quote/);
    expect(() => parseProbe('')).toThrow(/empty command/);
    expect(() => parseProbe('   ')).toThrow(UsageError);
  });
});

describe('--flow', () => {
  it('PROTO:ADDRESS[:PORT], and clear errors for anything else', () => {
    expect(parseLadderArgs(['--iface', 'eth0', '--flow', 'tcp:10.0.0.1:80']).flow).toEqual({ proto: 'tcp', ip: '10.0.0.1', port: 80 });
    expect(parseLadderArgs(['--iface', 'eth0', '--flow', 'icmp:10.0.0.1']).flow).toEqual({ proto: 'icmp', ip: '10.0.0.1' });
    // IPv6: bracketed before a port, bare without one; canonical form.
    expect(parseLadderArgs(['--iface', 'eth0', '--flow', 'tcp:[FD00:0::1]:80']).flow).toEqual({ proto: 'tcp', ip: 'fd00::1', port: 80 });
    expect(parseLadderArgs(['--iface', 'eth0', '--flow', 'icmp:fd00:111:60::2']).flow).toEqual({ proto: 'icmp', ip: 'fd00:111:60::2' });
    for (const bad of ['tcp:10.0.0.1:0', 'sctp:10.0.0.1', 'icmp:10.0.0.1:5', 'udp:host:53', 'tcp:10.0.0.300:80', 'tcp:fd00::1:80:x', 'icmp:[fd00::1]:5', 'tcp:[fd00::1::2]:80']) {
      expect(() => parseLadderArgs(['--iface', 'eth0', '--flow', bad]), bad).toThrow(/--flow .*PROTO:ADDRESS\[:PORT\]/);
    }
  });
});

describe('--full-window', () => {
  it('--full-window, or an explicit --window, lets the probe run its course', () => {
    expect(parseLadderArgs(['--full-window']).fullWindow).toBe(true);
    expect(parseLadderArgs(['--window', '3000']).fullWindow).toBe(true);
    expect(parseLadderArgs(['--lab']).fullWindow).toBe(false);
  });
});
