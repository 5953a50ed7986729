// @ts-check
// rpfilter/asymmetric: a hop whose reverse-path filter drops what enters it.
//
// Linux checks the source of every packet it receives against its routing table (net.ipv4.conf.*.rp_filter;
// the value in force on an interface is the larger of `all` and the interface's own, include/linux/inetdevice.h
// IN_DEV_RPFILTER). Strict mode (1) drops a packet when the route back to its source leaves through another
// interface; loose mode (2) only when there is no route back at all (fib_validate_source, net/ipv4/fib_frontend.c).
// Load balancers break the symmetry on purpose: with direct server return the real answers from the VIP, the
// reply enters the gateway on the real's side while the gateway's route to the VIP points at the LB. The
// packets reach the hop (tcpdump sees them), the kernel drops them, and only TcpExtIPReversePathFilter counts.
//
// How the check decides, with real tools only:
//   1. `sysctl` in each hop's namespace: rp_filter of `all` and of each hop interface.
//   2. On hops that filter: tcpdump -Q in during the probe window: which (source, destination) pairs enter.
//   3. For each pair: `ip -j route get DST from SRC iif IFACE` asks the kernel to route it as if it had just
//      arrived (rp_filter included: it fails when the filter would drop it) and `ip -j route get SRC` shows where
//      the route back leaves. nstat's TcpExtIPReversePathFilter before and after the window confirms the drops.

/** @typedef {import('xdp-doctor/plugin').Check} Check */
/** @typedef {import('xdp-doctor/plugin').CheckContext} CheckContext */
/** @typedef {import('xdp-doctor/plugin').Hop} Hop */
/** @typedef {import('xdp-doctor/plugin').NetnsRef} NetnsRef */
/** @typedef {import('xdp-doctor/plugin').Evidence} Evidence */
/** @typedef {import('xdp-doctor/plugin').Finding} Finding */
/** @typedef {import('xdp-doctor/plugin').Fix} Fix */
/** @typedef {import('xdp-doctor/plugin').Collector} Collector */

export const CAUSE = 'rp-filter-drop';
const COUNTER = 'TcpExtIPReversePathFilter';
const MODE = ['off', 'strict', 'loose'];
const MAX_PAIRS = 8;

/**
 * @typedef {object} Options
 * @property {string[]} [ignore]  interfaces to leave alone: "g2" or "gw/g2" (node/interface)
 * @property {0 | 2} [fixValue]   what the fix sets rp_filter to: 2 (loose, the default) or 0 (off)
 */

/**
 * @typedef {object} HopFilter
 * @property {Hop} hop
 * @property {number} all        net.ipv4.conf.all.rp_filter in the hop's namespace
 * @property {number} own        net.ipv4.conf.IFACE.rp_filter
 * @property {number} effective  max(all, own): what the kernel applies
 */

/** @type {Check} */
export const rpFilterCheck = {
  id: 'rpfilter/asymmetric',
  title: 'Reverse-path filter (rp_filter) along the route',
  question: 'Does a hop\'s rp_filter drop packets that enter where the route back does not leave?',
  rung: 2,
  needs: ['ip', 'tcpdump'],
  observes: true,
  timeoutMs: 30_000,
  async run(ctx) {
    const options = readOptions(ctx.options);
    const route = uniqueHops(ctx);
    const hops = route.filter((h) => !isIgnored(h, options));
    const ignored = route.filter((h) => isIgnored(h, options)).map((h) => h.label);
    const note = ignored.length ? ` (ignored: ${ignored.join(', ')})` : '';
    /** @type {Evidence[]} */
    const evidence = [];

    // 1. What each hop's namespace says.
    const filters = await readFilters(ctx, hops, evidence);
    evidence.unshift({
      label: 'rp_filter',
      data: filters.map((f) => `${f.hop.label}: all=${f.all} ${f.hop.iface}=${f.own} → ${MODE[f.effective] ?? f.effective}`).join('\n') || '(no hop could be read)',
    });
    const filtering = filters.filter((f) => f.effective > 0);
    if (!filtering.length) {
      return { status: 'pass', summary: `rp_filter is off on all ${filters.length} hop(s) read${note}`, evidence, findings: [] };
    }

    // 2. What enters the filtering hops during the probe, and the kernel's drop counter around it.
    ctx.progress(`capturing inbound packets on ${filtering.map((f) => f.hop.label).join(', ')}`);
    const captures = filtering.map((f) => ({ f, collector: capture(ctx, f.hop) }));
    const attached = await Promise.allSettled(captures.map((c) => c.collector.ready));
    const namespaces = uniqueNetns(filtering.map((f) => f.hop.netns));
    const before = await counters(ctx, namespaces);
    const outcome = await ctx.window.ready();
    const after = await counters(ctx, namespaces);
    const captured = await Promise.all(captures.map((c) => c.collector.stop()));

    /** @type {Finding[]} */
    const findings = [];
    const checked = [];
    for (const [i, { f }] of captures.entries()) {
      const settled = attached[i];
      if (settled?.status === 'rejected') {
        evidence.push({ label: `tcpdump ${f.hop.label}`, data: `could not attach: ${settled.reason?.message ?? settled.reason}` });
        continue;
      }
      const pairs = inboundPairs(captured[i]?.stdoutLines ?? []);
      evidence.push({
        label: `entering ${f.hop.label}`,
        data: pairs.length ? pairs.map((p) => `${p.src} → ${p.dst} (${p.count} packet(s))`).join('\n') : '(nothing entered during the window)',
        command: captures[i]?.collector.argv,
      });

      // 3. Would the kernel accept them here, and where does the way back leave?
      const dropped = [];
      for (const p of pairs.slice(0, MAX_PAIRS)) {
        const verdict = await routeVerdict(ctx, f.hop, p.src, p.dst);
        checked.push(`${f.hop.label}: ${p.src} → ${p.dst}: ${verdict.accepted ? 'accepted' : `refused (${verdict.error})`}; route back to ${p.src} ${verdict.backDev ? `leaves via ${verdict.backDev}${verdict.backVia ? ` (via ${verdict.backVia})` : ''}` : 'missing'}`);
        if (!verdict.accepted && isRpFilterRefusal(f, verdict)) dropped.push({ ...p, ...verdict });
      }
      if (!dropped.length) continue;
      const rose = delta(before, after, f.hop.netns);
      const sources = [...new Set(dropped.map((d) => d.src))];
      const back = dropped[0];
      findings.push({
        cause: CAUSE,
        severity: rose > 0 || !outcome.ok ? 'critical' : 'high',
        iface: f.hop.iface,
        message:
          `${f.hop.label}: rp_filter ${MODE[f.effective]} (all=${f.all}, ${f.hop.iface}=${f.own}) drops packets from ${sources.join(', ')}: ` +
          (f.effective === 1 && back?.backDev
            ? `they enter on ${f.hop.iface} but the route back leaves via ${back.backDev}`
            : 'there is no route back to them') +
          (rose > 0 ? `; ${COUNTER} +${rose} during the probe` : ''),
        fixes: [fixFor(f, options)],
      });
    }
    if (checked.length) evidence.push({ label: 'ip route get (as if received)', data: checked.join('\n') });
    const rises = namespaces.map((n) => [n, delta(before, after, n)]).filter(([, d]) => Number(d) > 0);
    if (rises.length) evidence.push({ label: COUNTER, data: rises.map(([n, d]) => `${describeNetns(/** @type {NetnsRef|undefined} */ (n))}: +${d}`).join('\n') });

    if (findings.length) {
      return { status: 'fail', summary: findings.map((f) => f.message).join('; '), evidence, findings };
    }
    const where = filtering.map((f) => `${f.hop.label} (${MODE[f.effective]})`).join(', ');
    return {
      status: 'pass',
      summary: `rp_filter on ${where}: everything that entered has its route back there${note}`,
      evidence, findings,
    };
  },
};

/** @param {Record<string, unknown>} raw @returns {Options} */
function readOptions(raw) {
  const ignore = Array.isArray(raw.ignore) ? raw.ignore.filter((x) => typeof x === 'string') : [];
  const fixValue = raw.fixValue === 0 ? 0 : 2;
  return { ignore, fixValue };
}

/** @param {Hop} hop @param {Options} options */
function isIgnored(hop, options) {
  return (options.ignore ?? []).some((x) => x === hop.iface || x === `${hop.node}/${hop.iface}`);
}

/** The hops of the route, each (namespace, interface) once; a bare target is its own single hop. @param {CheckContext} ctx */
function uniqueHops(ctx) {
  const hops = ctx.target.hops.length ? ctx.target.hops : [{ label: ctx.target.iface, iface: ctx.target.iface, netns: ctx.target.netns }];
  const seen = new Set();
  return hops.filter((h) => {
    const key = `${JSON.stringify(h.netns ?? null)}/${h.iface}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** @param {(NetnsRef | undefined)[]} list */
function uniqueNetns(list) {
  const seen = new Map();
  for (const n of list) seen.set(JSON.stringify(n ?? null), n);
  return [...seen.values()];
}

/** @param {NetnsRef | undefined} n */
function describeNetns(n) {
  if (!n) return 'host';
  return n.kind === 'name' ? n.name : n.kind === 'path' ? n.path : `pid ${n.pid}`;
}

/** sysctl key of an interface: dots in names (VLANs: eth0.100) are written as slashes. @param {string} iface */
const key = (iface) => `net.ipv4.conf.${iface.replaceAll('.', '/')}.rp_filter`;

/**
 * One `sysctl` per namespace: `all` and every hop interface there. Plain `sysctl KEY...` prints "KEY = VALUE" per
 * key, so a key that fails (an interface that vanished) cannot shift the others.
 * @param {CheckContext} ctx @param {Hop[]} hops @param {Evidence[]} evidence @returns {Promise<HopFilter[]>}
 */
async function readFilters(ctx, hops, evidence) {
  /** @type {HopFilter[]} */
  const out = [];
  for (const netns of uniqueNetns(hops.map((h) => h.netns))) {
    const here = hops.filter((h) => JSON.stringify(h.netns ?? null) === JSON.stringify(netns ?? null));
    const argv = ['sysctl', key('all'), ...here.map((h) => key(h.iface))];
    const r = await ctx.tools.exec.run(argv, { netns, timeoutMs: 5000 });
    const values = parseSysctl(r.stdout);
    const all = values.get(key('all'));
    if (all === undefined) {
      evidence.push({ label: `sysctl in ${describeNetns(netns)}`, data: (r.stderr || r.stdout).trim() || `exit ${r.exitCode}`, command: argv });
      continue;
    }
    const unread = here.filter((h) => values.get(key(h.iface)) === undefined);
    if (unread.length) {
      evidence.push({ label: `not read in ${describeNetns(netns)}`, data: `${unread.map((h) => h.label).join(', ')}: ${r.stderr.trim() || 'no value'}`, command: argv });
    }
    for (const hop of here) {
      const own = values.get(key(hop.iface));
      if (own === undefined) continue;
      out.push({ hop, all, own, effective: Math.max(all, own) });
    }
  }
  return out;
}

/** "net.ipv4.conf.g2.rp_filter = 1" lines → key → value. @param {string} text */
export function parseSysctl(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s*=\s*(\d+)\s*$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** tcpdump on one hop, packets coming in only (-Q in); the target's capture filter narrows it to the flow. @param {CheckContext} ctx @param {Hop} hop @returns {Collector} */
function capture(ctx, hop) {
  const argv = ['tcpdump', '-i', hop.iface, '-Q', 'in', '-n', '-l', '-tt', '-c', '200', ...(ctx.target.captureFilter ?? ['ip'])];
  return ctx.tools.exec.spawn(argv, {
    netns: hop.netns, maxLines: 200, timeoutMs: 60_000,
    readyWhen: (line, stream) => stream === 'stderr' && line.startsWith('listening on'),
    onLine: (line, stream) => { if (stream === 'stdout') ctx.live(`${hop.label}: ${line.replace(/^\d+\.\d+\s+/, '')}`); },
  });
}

/**
 * Distinct outer (source, destination) pairs: "1700.1 IP 192.168.10.1.50002 > 10.111.220.11.41234: Flags [S.]"; for
 * IPIP "IP A > B: IP C.p > D.q: ..." the outer A > B is what the hop routes.
 * @param {string[]} lines
 */
export function inboundPairs(lines) {
  /** @type {Map<string, {src: string, dst: string, count: number}>} */
  const pairs = new Map();
  for (const line of lines) {
    const m = /\bIP (\d+\.\d+\.\d+\.\d+)(?:\.\d+)? > (\d+\.\d+\.\d+\.\d+)(?:\.\d+)?:/.exec(line);
    if (!m) continue;
    const k = `${m[1]} ${m[2]}`;
    const p = pairs.get(k) ?? { src: /** @type {string} */ (m[1]), dst: /** @type {string} */ (m[2]), count: 0 };
    p.count++;
    pairs.set(k, p);
  }
  return [...pairs.values()];
}

/**
 * @param {CheckContext} ctx @param {Hop} hop @param {string} src @param {string} dst
 * @returns {Promise<{accepted: boolean, error?: string, backDev?: string, backVia?: string}>}
 */
async function routeVerdict(ctx, hop, src, dst) {
  const input = await ctx.tools.exec.run(['ip', '-j', 'route', 'get', dst, 'from', src, 'iif', hop.iface], { netns: hop.netns, timeoutMs: 5000 });
  const back = await ctx.tools.exec.run(['ip', '-j', 'route', 'get', src], { netns: hop.netns, timeoutMs: 5000 });
  const route = firstRoute(back.ok ? back.stdout : '');
  return {
    accepted: input.ok,
    ...(input.ok ? {} : { error: input.stderr.trim().replace(/^RTNETLINK answers:\s*/, '') || `exit ${input.exitCode}` }),
    ...(route?.dev ? { backDev: route.dev } : {}),
    ...(route?.gateway ? { backVia: route.gateway } : {}),
  };
}

/** @param {string} text @returns {{dev?: string, gateway?: string} | undefined} */
function firstRoute(text) {
  try {
    const routes = JSON.parse(text);
    return Array.isArray(routes) ? routes[0] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The kernel refused the packet, and rp_filter explains it: strict mode with the way back through another interface,
 * or no way back at all. (Refusals for other reasons — martians, forwarding off — are shown, not blamed on rp_filter.)
 * @param {HopFilter} f @param {{error?: string, backDev?: string}} v
 */
function isRpFilterRefusal(f, v) {
  if (!/invalid argument|cross-device link/i.test(v.error ?? '')) return false;
  return f.effective === 1 ? v.backDev !== f.hop.iface : !v.backDev;
}

/** @param {CheckContext} ctx @param {(NetnsRef | undefined)[]} namespaces */
async function counters(ctx, namespaces) {
  /** @type {Map<string, number>} */
  const out = new Map();
  await Promise.all(namespaces.map(async (n) => {
    try {
      const c = await ctx.tools.nstat.sample(n);
      if (c[COUNTER] !== undefined) out.set(JSON.stringify(n ?? null), c[COUNTER]);
    } catch { /* nstat missing or failing: the counter is corroboration only */ }
  }));
  return out;
}

/** @param {Map<string, number>} before @param {Map<string, number>} after @param {NetnsRef | undefined} n */
function delta(before, after, n) {
  const k = JSON.stringify(n ?? null);
  const b = before.get(k), a = after.get(k);
  return a !== undefined && b !== undefined ? a - b : 0;
}

/**
 * Loose mode keeps anti-spoofing (a source with no route back at all is still dropped) and lets asymmetric
 * replies through. The value in force is max(all, iface), so both are lowered where they are 1; undo restores them.
 * @param {HopFilter} f @param {Options} options @returns {Fix}
 */
function fixFor(f, options) {
  // A loose filter that still drops has no route back at all: only turning it off lets the packets in.
  const value = f.effective === 2 ? 0 : options.fixValue ?? 2;
  /** @param {number} v */
  const lower = (v) => (value === 2 ? v === 1 : v > 0);
  /** @type {string[][]} */
  const commands = [];
  /** @type {string[][]} */
  const undo = [];
  if (lower(f.all)) { commands.push(['sysctl', '-w', `${key('all')}=${value}`]); undo.push(['sysctl', '-w', `${key('all')}=${f.all}`]); }
  if (lower(f.own)) { commands.push(['sysctl', '-w', `${key(f.hop.iface)}=${value}`]); undo.push(['sysctl', '-w', `${key(f.hop.iface)}=${f.own}`]); }
  return {
    title: `${value === 2 ? 'Loose' : 'No'} reverse-path filtering on ${f.hop.label} (rp_filter=${value})`,
    commands, undo: undo.reverse(), verify: 'probe',
    ...(f.hop.netns ? { netns: f.hop.netns } : {}),
  };
}
