// Rung 4: every map of the program dumped with BTF (bpftool -j). The blog's first bug was here: the loader
// wrote an 8-byte key into a 4-byte-key array, so vip and daddr stayed 0 and the program passed everything.
import { defineCheck } from '../src/plugins/api.js';
import type { Evidence, Finding } from '../src/engine/types.js';
import { INVENTORY, type InventoryFacts } from './facts.js';
import { decodeValue, matchesExpectation, unsetFields, type DecodedField } from './map-decode.js';

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
    const userMaps = inv.maps.filter((m) => !INTERNAL.test(m.name));

    for (const map of userMaps) {
      ctx.progress(`dumping ${map.name}`);
      const entries = await ctx.tools.bpftool.mapDump(map.id);
      const shown = entries.slice(0, 16).map((e) => {
        const fields = e.formatted ? decodeValue(e.formatted.value) : [];
        return { key: e.formatted?.key ?? e.key, fields, raw: e.value };
      });
      evidence.push({
        label: `${map.name} (id ${map.id})`,
        command: ['bpftool', '-j', 'map', 'dump', 'id', String(map.id)],
        data: shown.length
          ? shown.map((s) => `[${JSON.stringify(s.key)}] ${s.fields.length ? s.fields.map((f) => `${f.path}=${f.shown}`).join(' ') : bytes(s.raw)}`).join('\n') +
            (entries.length > shown.length ? `\n… ${entries.length - shown.length} more` : '')
          : '(empty)',
      });
      // A single-entry array is the configuration-map idiom (Katran's ctl_array, the blog's xdp_params_array).
      if (map.type === 'array' && map.maxEntries === 1 && shown[0]) {
        const fields = shown[0].fields;
        decodedByMap.set(map.name, fields);
        const unset = unsetFields(fields);
        const allZero = shown[0].raw.every((b) => b === 0);
        if (allZero || unset.length) {
          findings.push({
            cause: 'map-params-unset', severity: allZero || unset.length > 1 ? 'critical' : 'high', progId: inv.progId,
            message: allZero
              ? `${map.name} is all zeros${unset.length ? ` (${unset.map((f) => `${f.path} ${f.shown}`).join(', ')})` : ''}: the loader's write never reached the map`
              : `${map.name}: ${unset.map((f) => `${f.path} is ${f.shown}`).join(', ')}`,
            fixes: [{
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
        findings.push({ cause: 'map-value-mismatch', severity: 'high', fixes: [], message: `--expect ${exp.map}.${exp.field}: no such field in the program's configuration maps` });
      } else if (!matchesExpectation(field, exp.value)) {
        findings.push({ cause: 'map-value-mismatch', severity: 'high', fixes: [], message: `${name}.${exp.field} is ${field.shown}, expected ${exp.value}` });
      } else {
        evidence.push({ label: `expect ${exp.map}.${exp.field}`, data: `${field.shown} as expected` });
      }
    }

    const summary = findings.length
      ? findings.map((f) => f.message).join('; ')
      : `${userMaps.length} map(s) read${decodedByMap.size ? `; ${[...decodedByMap.entries()].map(([n, f]) => `${n}: ${f.filter((x) => x.kind !== 'other').map((x) => `${x.path}=${x.shown}`).join(' ')}`).join('; ')}` : ''}`;
    return { status: findings.length ? 'fail' : 'pass', summary, evidence, findings };
  },
});

const bytes = (b: number[]) => b.map((x) => x.toString(16).padStart(2, '0')).join(' ');
const hexKey = (size: number) => Array.from({ length: size }, () => '00');
