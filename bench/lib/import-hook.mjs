// Loader hook for the import audit: appends the URL of every module Node loads through the ESM loader (which
// includes the entry of each CommonJS package that is imported, such as react) to the file named in `data`.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data?.file;
}

export async function load(url, context, nextLoad) {
  if (file) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
