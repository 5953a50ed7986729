// src/tools/bpftool-xlated.ts on `bpftool -j prog dump xlated` recorded on this machine (kernel 6.18, bpftool 7.1)
// from the lab's and the zoo's programs loaded unattached (test/recordings/xlated/README.md): which helpers
// each calls, as the kernel resolved them, and which maps each call is handed.
import { describe, expect, it } from 'vitest';
import { helperName, parseXlatedJson, programCalls } from '../../src/tools/bpftool-xlated.js';
import { parseProg } from '../../src/tools/bpftool.js';
import { recording } from './helpers/recordings.js';

const calls = (name: string) => programCalls(parseXlatedJson(recording(`xlated/${name}.xlated.json`)));
const mapIdsOf = (name: string) => parseProg(recording(`xlated/${name}.prog-show.json`)).mapIds;
const byName = (c: ReturnType<typeof calls>) => Object.fromEntries(c.helpers.map((h) => [h.helper, h]));

describe('programCalls', () => {
  it('the forwarding program: bpf_fib_lookup then bpf_redirect, no map', () => {
    const c = calls('zoo_fib_fwd');
    expect(c.helpers.map((h) => [h.helper, h.symbols, h.calls, h.mapIds])).toEqual([
      ['fib_lookup', ['bpf_xdp_fib_lookup'], 1, []],
      ['redirect', ['bpf_xdp_redirect'], 1, []],
    ]);
    expect(c.mapIds).toEqual([]);
    expect(mapIdsOf('zoo_fib_fwd')).toEqual([]);
  });

  it('the lab\'s load balancer: printk (its formats in .rodata), adjust_head; the inlined array lookup leaves only the map', () => {
    const c = calls('xdp_lb');
    const h = byName(c);
    expect(Object.keys(h).sort()).toEqual(['trace_printk', 'xdp_adjust_head']);
    expect(h.trace_printk!.symbols).toEqual(['bpf_trace_printk']);
    expect(h.trace_printk!.calls).toBe(6);
    expect(h.xdp_adjust_head!.calls).toBe(1);
    // The params array's lookup is inlined by the verifier: no call, but its map is referenced; every map the
    // kernel lists for the program appears in the instructions.
    expect(c.mapIds.sort()).toEqual(mapIdsOf('xdp_lb').sort());
  });

  it('a program with six map types: each call and the map it is handed; redirect_map on a cpumap named by its symbol', () => {
    const c = calls('zoo_maps');
    const ids = mapIdsOf('zoo_maps');
    expect(c.helpers.map((h) => h.helper)).toEqual(['map_update_elem', 'map_lookup_elem', 'ringbuf_output', 'perf_event_output', 'redirect_map']);
    const h = byName(c);
    expect(h.map_update_elem).toMatchObject({ calls: 2, symbols: ['htab_percpu_map_update_elem', 'htab_lru_map_update_elem'], mapIds: [ids[0], ids[1]] });
    expect(h.map_lookup_elem).toMatchObject({ symbols: ['__htab_map_lookup_elem'], mapIds: [ids[2]] });
    expect(h.ringbuf_output!.mapIds).toEqual([ids[3]]);
    expect(h.perf_event_output).toMatchObject({ symbols: ['bpf_xdp_event_output'], mapIds: [ids[4]] });
    expect(h.redirect_map).toMatchObject({ symbols: ['cpu_map_redirect'], redirectKind: 'cpumap', mapIds: [ids[5]] });
    expect(c.mapIds).toEqual(ids);
  });

  it('a tail call hands the PROG_ARRAY in r2; an xskmap redirect is named by its symbol', () => {
    expect(calls('zoo_tailcall').helpers).toEqual([
      { helper: 'tail_call', symbols: ['bpf_tail_call'], calls: 1, mapIds: mapIdsOf('zoo_tailcall') },
    ]);
    expect(calls('zoo_xskmap').helpers).toEqual([
      { helper: 'redirect_map', symbols: ['xsk_map_redirect'], calls: 1, mapIds: mapIdsOf('zoo_xskmap'), redirectKind: 'xskmap' },
    ]);
  });
});

describe('helperName', () => {
  it('names kernel symbols after the helpers the program wrote', () => {
    expect(['bpf_xdp_fib_lookup', 'dev_map_redirect', 'dev_hash_map_redirect', 'bpf_xdp_redirect_map', 'bpf_xdp_redirect',
      'bpf_trace_vprintk', 'array_map_lookup_elem', 'bpf_csum_diff', 'bpf_xdp_adjust_tail', 'bpf_ktime_get_ns'].map(helperName))
      .toEqual(['fib_lookup', 'redirect_map', 'redirect_map', 'redirect_map', 'redirect', 'trace_printk', 'map_lookup_elem',
        'csum_diff', 'xdp_adjust_tail', 'ktime_get_ns']);
  });
});

describe('parseXlatedJson', () => {
  it('keeps the instructions, with their source lines where BTF has them', () => {
    const insns = parseXlatedJson(recording('xlated/zoo_tailcall.xlated.json'));
    expect(insns[0]).toMatchObject({ proto: expect.stringContaining('tail_dispatch'), disasm: expect.stringMatching(/^\(/) });
    expect(insns.some((i) => i.src?.includes('bpf_tail_call'))).toBe(true);
  });
  it('refuses what is not an instruction list', () => {
    expect(() => parseXlatedJson('{"error":"x"}')).toThrow();
  });
});
