// sysctl(8) as the fib rung reads it: `sysctl -n KEY` prints the bare value. Keys are written with slashes
// (net/ipv4/conf/DEV/forwarding) because sysctl reads dots as separators, and interface names may hold dots
// (eth0.100, a VLAN).

/** The per-device forwarding switch bpf_fib_lookup() checks on the ingress device. */
export function forwardingKey(family: 4 | 6, dev: string): string {
  return `net/ipv${family}/conf/${dev}/forwarding`;
}

/** The integer `sysctl -n` printed, or undefined when it printed something else (or nothing). */
export function parseSysctlInt(text: string): number | undefined {
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : undefined;
}
