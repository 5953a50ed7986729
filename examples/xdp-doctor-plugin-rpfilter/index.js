// @ts-check
// xdp-doctor-plugin-rpfilter: one check, rpfilter/asymmetric (see rp-filter.js).
// Plain JavaScript with JSDoc types: no runtime dependency on xdp-doctor, so it loads from node_modules, from
// a path, or from a global install alike. `npx tsc -p .` type-checks it against the xdp-doctor API.
import { CAUSE, rpFilterCheck } from './rp-filter.js';

/** @type {import('xdp-doctor/plugin').Plugin} */
const plugin = {
  name: 'rpfilter',
  version: '1.0.0',
  apiVersion: 1,
  checks: [rpFilterCheck],
  causes: {
    [CAUSE]: {
      title: 'Reverse-path filter drops packets on an asymmetric route',
      explanation:
        'A hop runs rp_filter in strict mode (1) and receives packets whose route back leaves through another ' +
        'interface (direct server return, asymmetric routing), or in loose mode (2) with no route back at all. ' +
        'The kernel drops them after tcpdump saw them (fib_validate_source, net/ipv4/fib_frontend.c) and counts ' +
        'TcpExtIPReversePathFilter. The value in force is max(all, interface).',
    },
  },
};

export default plugin;
export { rpFilterCheck, CAUSE };
