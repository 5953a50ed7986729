// The decision files `npm run test:mutation` mutates: where the report's conclusions are made. The conclude step
// and the route, every rung's judging code (checks/, but not the list of rungs), the knowledge base's lookups, the
// probe's flow analysis and the veth peer search the headline diagnosis depends on. Renderers, tool runners and
// parsers are tested on recordings instead; they decide nothing.
export const DECISION_FILES = [
  'src/engine/diagnosis.ts',
  'src/engine/route.ts',
  'src/engine/errnos.ts',
  'src/probe-flow.ts',
  'src/tools/veth-peer.ts',
  'src/kb/*.ts',
  'checks/*.ts',
  '!checks/index.ts',
];
