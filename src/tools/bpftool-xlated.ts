// What a loaded program calls, read from the kernel: `bpftool -j prog dump xlated id N` prints the instructions
// after verification, one {disasm, src?, proto?} object each. A helper call reads `(85) call bpf_xdp_fib_lookup#…`;
// the verifier has already replaced the generic helpers with what they run for this program (bpf_redirect_map on
// an XSKMAP becomes xsk_map_redirect, a hash lookup __htab_map_lookup_elem), so the symbol also tells the map type.
// Map pointers are loaded as `rN = map[id:M]` just before the call that takes them. Array lookups the verifier
// inlines leave no call behind: a map referenced without a call is still listed, under the program's map ids.
import { asArray, isObj, parseJson } from './json.js';

export interface XlatedInsn { disasm: string; src?: string; proto?: string }

/** One helper (or kfunc) the program calls, with the kernel symbol(s) it runs as and the maps passed to it. */
export interface HelperUse {
  /** Helper name without the bpf_ prefix, as in the uapi docs: fib_lookup, redirect_map, tail_call, trace_printk… */
  helper: string;
  /** Kernel functions the calls resolved to (bpf_xdp_fib_lookup, xsk_map_redirect, …). */
  symbols: string[];
  /** Call sites in the program (all subprograms). */
  calls: number;
  /** Maps passed to it, by id (a map pointer in r1–r5 at the call). */
  mapIds: number[];
  /** The map kind the kernel symbol implies for a redirect_map: devmap, xskmap or cpumap. */
  redirectKind?: 'devmap' | 'xskmap' | 'cpumap';
}

export interface ProgramCalls {
  helpers: HelperUse[];
  /** Every map the instructions load a pointer to or a value of (global data such as .rodata included). */
  mapIds: number[];
  /** bpf-to-bpf calls (subprograms), not helpers. */
  subprogCalls: number;
  insns: number;
}

export function parseXlatedJson(text: string): XlatedInsn[] {
  return asArray('bpftool', parseJson('bpftool', text), 'prog dump xlated')
    .filter(isObj)
    .filter((o) => typeof o.disasm === 'string')
    .map((o) => ({
      disasm: o.disasm as string,
      ...(typeof o.src === 'string' ? { src: o.src } : {}),
      ...(typeof o.proto === 'string' ? { proto: o.proto } : {}),
    }));
}

// Kernel symbols → the helper the program named. Order matters: the redirect_map implementations end in
// _map_redirect, map operations in _map_<op>_elem (htab_percpu_map_update_elem, __htab_map_lookup_elem).
const NAMES: [RegExp, string][] = [
  [/^bpf_(?:xdp_)?fib_lookup$/, 'fib_lookup'],
  [/^bpf_xdp_redirect_map$|_map_redirect$/, 'redirect_map'],
  [/^bpf_(?:xdp_)?redirect$/, 'redirect'],
  [/^bpf_trace_v?printk$/, 'trace_printk'],
  [/^bpf_(?:xdp|skb|perf)_event_output$/, 'perf_event_output'],
  [/map_lookup_elem$|map_lookup_elem_sys_only$/, 'map_lookup_elem'],
  [/map_update_elem$/, 'map_update_elem'],
  [/map_delete_elem$/, 'map_delete_elem'],
];

const REDIRECT_KIND: Record<string, HelperUse['redirectKind']> = {
  dev_map_redirect: 'devmap', dev_hash_map_redirect: 'devmap', xsk_map_redirect: 'xskmap', cpu_map_redirect: 'cpumap',
};

/** The helper a kernel symbol stands for: known aliases, else the symbol without its bpf_ prefix. */
export function helperName(symbol: string): string {
  for (const [re, name] of NAMES) if (re.test(symbol)) return name;
  return symbol.replace(/^bpf_/, '');
}

const CALL = /^\(85\) call (\S+?)(?:#-?\d+)?$/;
const MAP_PTR = /^\(18\) r([0-9]) = map\[id:(\d+)\]$/;
const MAP_ANY = /map\[id:(\d+)\]/;
const WRITES = /^\([0-9a-f]{2}\) r([0-9]) (?:=|\+=|-=|\*=|\/=|\|=|&=|<<=|>>=|s>>=|\^=|%=)/;

/** Helpers and maps from the xlated instructions, in the order the program first calls them. */
export function programCalls(insns: XlatedInsn[]): ProgramCalls {
  const regs = new Map<number, number>(); // register → map id it holds a pointer to
  const uses = new Map<string, HelperUse>();
  const mapIds = new Set<number>();
  let subprogCalls = 0;
  for (const { disasm } of insns) {
    const any = MAP_ANY.exec(disasm);
    if (any) mapIds.add(Number(any[1]));
    const call = CALL.exec(disasm);
    if (call) {
      const symbol = call[1]!;
      if (/^pc[+-]\d+$/.test(symbol)) subprogCalls++;
      else {
        const helper = helperName(symbol);
        const use = uses.get(helper) ?? { helper, symbols: [], calls: 0, mapIds: [] };
        use.calls++;
        if (!use.symbols.includes(symbol)) use.symbols.push(symbol);
        for (let r = 1; r <= 5; r++) {
          const id = regs.get(r);
          if (id !== undefined && !use.mapIds.includes(id)) use.mapIds.push(id);
        }
        const kind = REDIRECT_KIND[symbol];
        if (kind) use.redirectKind = kind;
        uses.set(helper, use);
      }
      // A call clobbers the argument registers.
      for (let r = 0; r <= 5; r++) regs.delete(r);
      continue;
    }
    const ptr = MAP_PTR.exec(disasm);
    if (ptr) { regs.set(Number(ptr[1]), Number(ptr[2])); continue; }
    const w = WRITES.exec(disasm);
    // A register copied from one holding a map pointer still holds it; any other write forgets it.
    const copy = /^\(bf\) r([0-9]) = r([0-9])$/.exec(disasm);
    if (copy) {
      const id = regs.get(Number(copy[2]));
      if (id === undefined) regs.delete(Number(copy[1])); else regs.set(Number(copy[1]), id);
    } else if (w) regs.delete(Number(w[1]));
  }
  return { helpers: [...uses.values()], mapIds: [...mapIds], subprogCalls, insns: insns.length };
}
