// Numbers in a program's bpf_printk lines that are IPv4 addresses the run knows (the probe's destination, the
// addresses on the target and its peer), in whichever byte order matches: the blog's "the VIP I was reading was
// empty" step, without reading hex by hand. Pure.
import { decodeIp } from './map-decode.js';

/** A known address and what it is to this run. */
export interface KnownAddress { ip: string; what: string }

/** "allowlist: drop from 13c6f0a" → "allowlist: drop from 13c6f0a (= 10.111.60.1, the veth peer zc0's address, network byte order)". */
export function annotateAddresses(message: string, known: KnownAddress[]): string {
  if (!known.length) return message;
  return message.replace(/\b(0x)?([0-9a-fA-F]{5,8}|\d{7,10})\b/g, (token, prefix: string | undefined, digits: string) => {
    const candidates = new Set<number>();
    if (prefix || /[a-f]/i.test(digits) || digits.length <= 8) candidates.add(parseInt(digits, 16));
    if (!prefix && /^\d+$/.test(digits)) candidates.add(Number(digits));
    for (const n of candidates) {
      if (!(n > 0 && n <= 0xffffffff)) continue;
      for (const order of ['network', 'host'] as const) {
        const text = decodeIp(n, order).text;
        const hit = known.find((k) => k.ip === text);
        if (hit) return `${token} (= ${text}, ${hit.what}, ${order} byte order)`;
      }
    }
    return token;
  });
}
