// Medians and the table.

export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function summary(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (!v.length) return { n: 0 };
  return { n: v.length, median: round(median(v)), min: round(Math.min(...v)), max: round(Math.max(...v)) };
}

export const round = (x, digits = 1) => (typeof x === 'number' ? Math.round(x * 10 ** digits) / 10 ** digits : x);

export const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? Math.round((a / b) * 1000) / 1000 : undefined);

export function table(rows, headers) {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined || c === null ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export const ms = (x) => (typeof x === 'number' ? `${Math.round(x)} ms` : '-');
export const mb = (kb) => (typeof kb === 'number' ? `${(kb / 1024).toFixed(1)} MB` : '-');
