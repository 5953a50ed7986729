// Types of expect.mjs, for the unit test (test/unit/bench-expect.test.ts).
export interface Expected { exitCode: number; cause: string | undefined }
export const EXPECTED: Record<string, Expected>;
export function scenarioOf(faults?: string[]): string;
export function judgeRun(run: { exitCode: number | null | undefined; report?: { diagnosis?: { cause: string }[] } }, expected: Expected | undefined): string | undefined;
export interface ManualStep { name: string; ms: number; probes: number; error?: string; detail?: string; txErrors?: number; events?: { tracepoint: string; ifindex?: number; errno?: number; count: number }[] }
export function judgeManual(run: { totalMs: number; probes: number; steps: ManualStep[] }): string | undefined;
export function judgeFloor(sample: { attach: Record<string, number | undefined>; errors: string[]; tracepoints?: string[]; kernelTracepoints?: string[] }): string | undefined;
export const START_QUESTION: RegExp;
