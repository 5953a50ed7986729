// Rung 4: every map of the program dumped with BTF (bpftool -j). The blog's first bug was here: the loader
// wrote an 8-byte key into a 4-byte-key array, so vip and daddr stayed 0 and the program passed everything.
import {
  defineCheck, followedFlow, INVENTORY, type CheckContext, type Evidence, type Finding, type InventoryFacts,
  type MapDump, type NetnsRef,
} from '../src/plugins/api.js';
import { addressFamily, decodeValue, matchesExpectation, unsetFields, type DecodedField } from './map-decode.js';
import { byteOrderRisks, dependencyRisks, describeDump, flowMentions, mapHeadline } from './map-contents.js';

// Maps libbpf creates for global data: they hold the program's constants, not its configuration.
const INTERNAL = /\.(rodata|bss|data|kconfig)(\.|$)|_rodata$|_bss$|\.data\./;

export default defineCheck({
  id: 'map-dump',
  title: 'Maps (bpftool map dump)',
  question: 'Do the program\'s maps hold the configuration it needs (VIP, next hop, addresses)?',
  rung: 4,
  needs: ['bpftool'],
  after: ['inventory'],
  async run(ctx) {
    const inv = ctx.facts.get<InventoryFacts>(INVENTORY);
    if (!inv?.progId) return { status: 'skip', summary: 'no program to read maps from (see inventory)', evidence: [], findings: [] };
    const evidence: Evidence[] = [];
    const findings: Finding[] = [];
    const decodedByMap = new Map<string, DecodedField[]>();
    const unreadable: string[] = [];
    const userMaps = inv.maps.filter((m) => !INTERNAL.test(m.name));

    const xskSockets = userMaps.some((m) => m.type === 'xskmap') ? await countXdpSockets(ctx, inv.netns) : undefined;
    const headlines: string[] = [];
    const risks: Finding[] = [];
    // Entries a lookup for the probe's flow would meet (its address or port), in any map.
    const mentions: string[] = [];
    const flow = followedFlow(ctx.target);
    const flowIp = flow?.ip;
    for (const map of userMaps) {
      ctx.progress(`dumping ${map.name}`);
      const command = ['bpftool', '-j', 'map', 'dump', 'id', String(map.id)];
      let dump: MapDump;
      try {
        dump = await ctx.tools.bpftool.mapRead(map);
      } catch (e) {
        // One map that cannot be read is a gap in the evidence, not a failed rung.
        unreadable.push(`${map.name}: ${(e as Error).message}`);
        evidence.push({ label: `${map.name} (id ${map.id}, ${map.type})`, command, data: `could not be read: ${(e as Error).message}` });
        continue;
      }
      headlines.push(mapHeadline(map, dump));
      evidence.push({ label: `${map.name} (id ${map.id}, ${map.type})`, command, data: describeDump(map, dump) });
      mentions.push(...flowMentions(map, dump, flow));
      risks.push(...dependencyRisks(map, dump, inv.progId, { xskSockets }));
      const [first] = dump.entries;
      // A single-entry array is the configuration-map idiom (Katran's ctl_array, the blog's parameters map).
      if (map.type === 'array' && map.maxEntries === 1 && first?.value) {
        const fields = first.formatted ? decodeValue(first.formatted.value) : [];
        decodedByMap.set(map.name, fields);
        risks.push(...byteOrderRisks(map.name, fields, flowIp, inv.progId));
        const unset = unsetFields(fields);
        const allZero = first.value.every((b) => b === 0);
        // A map of the other address family configures traffic this run does not follow (the IPv6 half of a
        // dual-stack load balancer, probed over IPv4): its zeros are a note, never the cause of this flow's loss.
        const family = addressFamily(fields);
        const otherFamily = flowIp !== undefined && family !== undefined && family !== (flowIp.includes(':') ? 6 : 4);
        if (allZero || unset.length) {
          (otherFamily ? risks : findings).push({
            cause: otherFamily ? 'map-other-family-unset' : 'map-params-unset', progId: inv.progId, ...(otherFamily ? { risk: true } : {}),
            message: (allZero
              ? `${map.name} is all zeros${unset.length ? ` (${unset.map((f) => `${f.path} ${f.shown}`).join(', ')})` : ''}: the loader's write never reached the map`
              : `${map.name}: ${unset.map((f) => `${f.path} is ${f.shown}`).join(', ')}`) +
              (otherFamily ? ` (its addresses are IPv${family}, the followed flow is IPv${family === 6 ? 4 : 6}: it does not decide this flow)` : ''),
            fixes: otherFamily ? [] : [{
              title: `write the parameters into ${map.name} (fix the loader; by hand: bpftool map update)`,
              commands: [['bpftool', 'map', 'update', 'id', String(map.id), 'key', 'hex', ...hexKey(map.keySize), 'value', 'hex', '<value bytes>']],
            }],
          });
        }
      }
    }

    for (const exp of ctx.target.expect) {
      const [name, fields] = [...decodedByMap.entries()].find(([n]) => exp.map.startsWith(n) || n.startsWith(exp.map)) ?? [];
      const field = fields?.find((f) => f.path === exp.field);
      if (!field) {
        findings.push({ cause: 'map-value-mismatch', fixes: [], message: `--expect ${exp.map}.${exp.field}: no such field in the program's configuration maps` });
      } else if (!matchesExpectation(field, exp.value)) {
        findings.push({ cause: 'map-value-mismatch', fixes: [], message: `${name}.${exp.field} is ${field.shown}, expected ${exp.value}` });
      } else {
        evidence.push({ label: `expect ${exp.map}.${exp.field}`, data: `${field.shown} as expected` });
      }
    }

    // Byte-order context and the other family's configuration are not tables that cannot answer: only the
    // dependency risks are counted as such.
    const lookupRisks = risks.filter((r) => r.cause !== 'map-byte-order' && r.cause !== 'map-other-family-unset').length;
    const configs = [...decodedByMap.entries()].map(([n, f]) => `${n}: ${f.filter((x) => x.kind !== 'other').map((x) => `${x.path}=${x.shown}`).join(' ')}`);
    const summary = findings.length
      ? findings.map((f) => f.message).join('; ')
      : `${userMaps.length} map(s) read${configs.length ? `; ${configs.join('; ')}` : headlines.length ? `: ${headlines.slice(0, 4).join('; ')}${headlines.length > 4 ? '; …' : ''}` : ''}` +
        (lookupRisks ? `; ${lookupRisks} table(s) that cannot answer a lookup (see notes)` : '') +
        (unreadable.length ? `; not read: ${unreadable.join('; ')}` : '');
    if (mentions.length) evidence.push({ label: 'entries that mention the probe\'s flow', data: mentions.slice(0, 12).join('\n') + (mentions.length > 12 ? `\n… ${mentions.length - 12} more` : '') });
    findings.push(...risks);
    const failed = findings.some((f) => !f.risk);
    return { status: failed ? 'fail' : unreadable.length ? 'warn' : 'pass', summary, evidence, findings };
  },
});

const hexKey = (size: number) => Array.from({ length: size }, () => '00');

/** AF_XDP sockets open in a namespace (ss --xdp); undefined when ss cannot tell. */
async function countXdpSockets(ctx: CheckContext, netns?: NetnsRef): Promise<number | undefined> {
  const r = await ctx.tools.exec.run(['ss', '--xdp', '-a', '-n'], { netns, timeoutMs: 5000 });
  if (!r.ok) return undefined;
  return r.stdout.split('\n').filter((l) => l.trim() && !/^State|^Netid/.test(l)).length;
}
