// node --import ./bench/lib/trace-imports.mjs … : registers import-hook.mjs, logging to $BENCH_IMPORT_LOG.
import { register } from 'node:module';

register('./import-hook.mjs', import.meta.url, { data: { file: process.env.BENCH_IMPORT_LOG } });
