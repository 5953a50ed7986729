// tshark started before its capture exists (tools/tshark.ts dissectLater, packet-sanity's early start): the real
// tshark on a FIFO, fed a recorded exit pcap late, early, and large; stopped when there is nothing to read; and
// never waiting for ever when tshark is gone before the bytes come. No kernel state is touched.
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { realExec } from '../../src/tools/exec.js';
import { createTshark } from '../../src/tools/tshark.js';

const tshark = createTshark(realExec);
const pcap = readFileSync(fileURLToPath(new URL('../recordings/pcap/zoo-vlan-push-exit.pcap', import.meta.url)));
const later = <T>(ms: number, v: T) => new Promise<T>((resolve) => setTimeout(() => resolve(v), ms));
const leftovers = () => readdirSync(tmpdir()).filter((n) => n.startsWith('xdp-doctor-tshark-'));

describe('tshark on a FIFO', () => {
  test('the same packets as tshark -r FILE, whether the bytes come before or after tshark is ready', async () => {
    const direct = await tshark.dissect(fileURLToPath(new URL('../recordings/pcap/zoo-vlan-push-exit.pcap', import.meta.url)));
    const early = await tshark.dissectLater(Promise.resolve(pcap));
    const late = await tshark.dissectLater(later(600, pcap));
    expect(early.argv.slice(0, 2)).toEqual(['tshark', '-r']);
    expect(early.argv[2]).toMatch(/\/xdp-doctor-tshark-[^/]+\/capture\.fifo$/);
    expect(early.packets).toEqual(direct.packets);
    expect(late.packets).toEqual(direct.packets);
    expect(leftovers()).toEqual([]);
  });

  test('a capture larger than the pipe (2004 packets, 200 KB) is read whole', async () => {
    const big = Buffer.concat([pcap, ...Array.from({ length: 500 }, () => pcap.subarray(24))]);
    const r = await tshark.dissectLater(later(100, big));
    expect(r.packets).toHaveLength(2004);
  });

  test('aborted while it waits for a capture that never comes: tshark is killed, nothing left behind', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    await expect(tshark.dissectLater(new Promise<undefined>(() => undefined), { signal: stop.signal })).rejects.toThrow(/^tshark -r /);
    expect(leftovers()).toEqual([]);
  });

  test('nothing to read (the capture resolves undefined): tshark is stopped, nothing left behind', async () => {
    await expect(tshark.dissectLater(later(300, undefined))).rejects.toThrow(/^tshark -r /);
    expect(leftovers()).toEqual([]);
  });

  test('its timeout starts when the bytes are in: a long wait is not tshark\'s time; a short budget after them ends it', async () => {
    const waited = await tshark.dissectLater(later(800, pcap), { timeoutMs: 5000 });
    expect(waited.packets).toHaveLength(4);
    await expect(tshark.dissectLater(later(300, pcap), { timeoutMs: 1 })).rejects.toThrow(/: timed out$/);
    expect(leftovers()).toEqual([]);
  });
});
