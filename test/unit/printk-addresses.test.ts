// checks/printk-addresses.ts: numbers in bpf_printk lines that are addresses the run knows. The first line is
// what test/zoo/zoo_allowlist.c printed here for a ping from 10.111.60.1 (trace_pipe, "drop from %x").
import { describe, expect, it } from 'vitest';
import { annotateAddresses } from '../../checks/printk-addresses.js';

const known = [{ ip: '10.111.60.1', what: "the veth peer zc0's address" }, { ip: '192.168.10.1', what: "the probe's destination" }];

describe('annotateAddresses', () => {
  it('a %x of a network-order address (the recorded zoo line)', () => {
    expect(annotateAddresses('allowlist: drop from 13c6f0a', known))
      .toBe("allowlist: drop from 13c6f0a (= 10.111.60.1, the veth peer zc0's address, network byte order)");
  });
  it('decimal and host order, 0x prefixes, and numbers that are no known address left alone', () => {
    expect(annotateAddresses('vip=3232238081 port=50002', known)).toBe("vip=3232238081 (= 192.168.10.1, the probe's destination, host byte order) port=50002");
    expect(annotateAddresses('dst 0x010aa8c0', known)).toBe("dst 0x010aa8c0 (= 192.168.10.1, the probe's destination, network byte order)");
    expect(annotateAddresses('len 12345678 id 0', known)).toBe('len 12345678 id 0');
    expect(annotateAddresses('drop from 13c6f0a', [])).toBe('drop from 13c6f0a');
  });
});
