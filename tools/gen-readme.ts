// `npm run gen:readme`: rewrites the README's generated parts (the configuration table, the role
// matrix and the OCPP action matrix) from the code; tests fail while either is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { configurationTable } from '../src/config/config.js';
import { complianceMatrix, withMatrix } from './compliance-matrix.js';
import { roleMatrixTable } from './role-matrix.js';

/** Replaces the markdown table that starts with `header` by `table`. */
function withTable(readme: string, header: string, table: string): string {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  if (start < 0) throw new Error(`README has no table starting with "${header}"`);
  let end = start;
  while (lines[end + 1]?.startsWith('|')) end++;
  lines.splice(start, end - start + 1, ...table.trimEnd().split('\n'));
  return lines.join('\n');
}

let readme = readFileSync('README.md', 'utf8');
readme = withTable(readme, '| Environment variable', configurationTable());
readme = withTable(readme, '| Permission |', roleMatrixTable());
readme = withMatrix(readme, complianceMatrix());
writeFileSync('README.md', readme);
console.log('README.md: configuration table, role matrix and action matrix regenerated');
