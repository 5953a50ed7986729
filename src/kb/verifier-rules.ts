// The verifier's rules an XDP program most often breaks, as data: how its log says so, what the rule is, what
// the verifier needs to see at the rejected line, and where in the kernel (or libbpf) the message is printed.
// Matched in order on the verifier's words after the rejected instruction (and the walk before it, for the
// rules whose message alone is ambiguous). Each was reproduced on this project's 6.18 machines by a program in
// test/verifier/ whose log is recorded in test/recordings/verifier/.

interface VerifierRule {
  cause: string;
  /** Matched against the verifier's message lines, joined by newlines. */
  message: RegExp;
  /** Also required in the log before the rejected instruction (e.g. a call that invalidated packet pointers). */
  before?: RegExp;
  rule: string;
  needs: string;
  source: string;
}

export const VERIFIER_RULES: VerifierRule[] = [
  {
    cause: 'verifier-gpl-helper',
    message: /cannot call GPL-restricted function from non-GPL compatible program/,
    rule: 'a GPL-only helper (bpf_trace_printk, bpf_probe_read…) called from a program whose license is not GPL-compatible',
    needs: 'a GPL-compatible license in the object: char _license[] SEC("license") = "GPL" (or "Dual BSD/GPL")',
    source: 'kernel/bpf/verifier.c check_helper_call(): `if (!env->prog->gpl_compatible && fn->gpl_only)`',
  },
  {
    cause: 'verifier-helper-not-allowed',
    message: /program of this type cannot use helper (\S+)|unknown func (\S+)/,
    rule: 'a helper that XDP programs may not call (the program type\'s get_func_proto() does not offer it)',
    needs: 'a helper XDP offers (net/core/filter.c xdp_func_proto()): bpf_xdp_load_bytes instead of bpf_skb_load_bytes, direct packet access with a data_end check',
    source: 'kernel/bpf/verifier.c check_helper_call() → env->ops->get_func_proto() returns NULL; net/core/filter.c xdp_func_proto()',
  },
  {
    cause: 'verifier-core-relocation',
    message: /invalid CO-RE relocation|failed to resolve CO-RE relocation|relo #\d+:.*(no matching targets|failed)|invalid func unknown#195896080/,
    rule: 'a CO-RE relocation that does not resolve against this kernel\'s BTF (a field or type it does not have): libbpf poisons the instruction',
    needs: 'a field this kernel has (check it in `bpftool btf dump file /sys/kernel/btf/vmlinux`), or guard it with bpf_core_field_exists()',
    source: 'tools/lib/bpf/relo_core.c bpf_core_calc_relo_insn()/bpf_core_patch_insn() (poisoned insn); kernel/bpf/verifier.c prints "invalid CO-RE relocation"',
  },
  {
    cause: 'verifier-map-value-null',
    message: /invalid mem access '(map_value_or_null|\w+_or_null)'/,
    rule: 'a map lookup\'s result used before it was checked for NULL',
    needs: 'if (!value) return XDP_PASS; (or another action) between bpf_map_lookup_elem() and the first use of its result',
    source: 'kernel/bpf/verifier.c check_mem_access(): a PTR_MAYBE_NULL register is not a pointer until a NULL check (mark_ptr_or_null_regs())',
  },
  {
    cause: 'verifier-packet-after-adjust',
    // A scalar register is 'scalar' since 5.18 and 'inv' before (kernel/bpf/verifier.c reg_type_str[SCALAR_VALUE]).
    message: /invalid mem access '(scalar|inv)'|invalid access to packet/,
    before: /call bpf_xdp_adjust_(head|tail|meta)#\d+/,
    rule: 'a packet pointer used after bpf_xdp_adjust_head/tail/meta, which invalidate every packet pointer',
    needs: 'data and data_end read again from ctx after the adjust call, and the bounds check against data_end repeated before the access',
    source: 'kernel/bpf/verifier.c check_helper_call() → clear_all_pkt_pointers() for helpers that change packet data (bpf_helper_changes_pkt_data())',
  },
  {
    cause: 'verifier-packet-bounds',
    message: /invalid access to packet|offset is outside of the packet/,
    rule: 'packet memory read or written without a bounds check against data_end that covers the access',
    needs: 'if ((void *)(hdr + 1) > data_end) return XDP_PASS; before the access, covering its offset and size',
    source: 'kernel/bpf/verifier.c check_packet_access() → __check_mem_access() ("invalid access to packet"); the range comes from find_good_pkt_pointers() after a comparison with data_end',
  },
  {
    cause: 'verifier-out-of-bounds',
    message: /invalid (variable-offset )?(read from|write to|indirect access to) stack|invalid stack off|invalid access to map value|value is outside of the allowed memory range|min value is negative|unbounded memory access/,
    rule: 'a stack or map value access whose offset the verifier cannot prove to be inside the object',
    needs: 'the index bounded before the access (if (i >= ARRAY_SIZE(a)) return XDP_PASS; or i &= SIZE - 1) so its range fits the object',
    source: 'kernel/bpf/verifier.c check_stack_access_within_bounds() / check_stack_write_var_off(); check_map_access() → __check_mem_access()',
  },
  {
    cause: 'verifier-too-complex',
    message: /BPF program is too large|back-edge from insn|infinite loop detected|The sequence of \d+ jumps is too complex|loop is not bounded/,
    rule: 'an unbounded loop, or a program whose paths add up to more than the verifier will walk (1 000 000 instructions)',
    needs: 'a loop bound the verifier can see (a constant, `for (i = 0; i < N && i < MAX; i++)`), bpf_loop(), or fewer paths (split into tail calls)',
    source: 'kernel/bpf/verifier.c do_check() (BPF_COMPLEXITY_LIMIT_INSNS, "BPF program is too large"), is_state_visited() ("infinite loop detected")',
  },
];

interface Classified { rule: VerifierRule | undefined; match?: RegExpExecArray }

/** The first rule whose message matches (and whose `before` appears earlier in the log). */
export function classifyRejection(message: string[], logBefore: string): Classified {
  const text = message.join('\n');
  for (const rule of VERIFIER_RULES) {
    const match = rule.message.exec(text);
    if (!match) continue;
    if (rule.before && !rule.before.test(logBefore)) continue;
    return { rule, match };
  }
  return { rule: undefined };
}
