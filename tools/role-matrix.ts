import { permissionMatrix, permissions, roles } from '../src/domain/identity/roles.js';

/** The README's role × permission table, rendered from the one permission matrix. */
export function roleMatrixTable(): string {
  const head = `| Permission | ${roles.join(' | ')} |\n|---|${roles.map(() => ':-:').join('|')}|\n`;
  return head + permissions.map((p) => `| \`${p}\` | ${roles.map((r) => (permissionMatrix[r].includes(p) ? '✓' : '')).join(' | ')} |`).join('\n') + '\n';
}
