// Types of expect.mjs, for the unit test (test/unit/bench-expect.test.ts).
export interface Expected { exitCode: number; cause: string | undefined }
export const EXPECTED: Record<string, Expected>;
export function scenarioOf(faults?: string[]): string;
export function judgeRun(run: { exitCode: number | null | undefined; report?: { diagnosis?: { cause: string }[] } }, expected: Expected | undefined): string | undefined;
