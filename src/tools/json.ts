// Tools print JSON that may be truncated, localized or from another version. Parsing failures become a
// ToolOutputError carrying the raw excerpt, so a rung reports `error` with what it saw instead of crashing.
export class ToolOutputError extends Error {
  constructor(public readonly tool: string, message: string, public readonly excerpt: string) {
    super(`${tool}: ${message}`);
  }
}

export function excerpt(text: string, max = 300): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

export function parseJson<T = unknown>(tool: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ToolOutputError(tool, `unexpected output (not JSON: ${(e as Error).message})`, excerpt(text));
  }
}

export function asArray(tool: string, value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new ToolOutputError(tool, `expected ${what} to be a list`, excerpt(JSON.stringify(value) ?? ''));
  return value;
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
