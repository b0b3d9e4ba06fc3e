import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { machineRoles, mfaRequired, permissionMatrix, permissions, roles } from '../../src/domain/identity/roles.js';
import { roleMatrixTable } from '../../tools/role-matrix.js';

test('the README role matrix is the generated one', () => {
  assert.ok(readFileSync('README.md', 'utf8').includes(roleMatrixTable()), 'README role matrix is stale: run npm run gen:readme');
});

test('the matrix names only known permissions, and only the administrator manages users, keys and the audit log', () => {
  for (const r of roles) for (const p of permissionMatrix[r]) assert.ok(permissions.includes(p), `${r}: ${p}`);
  for (const p of ['users:manage', 'apikeys:manage', 'audit:read', 'pki:manage'] as const) {
    assert.deepEqual(roles.filter((r) => permissionMatrix[r].includes(p)), ['admin'], p);
  }
});

test('machine roles cannot switch stations on or off, and hold no personal-data or admin rights', () => {
  for (const r of machineRoles) {
    for (const p of ['stations:switch', 'tokens:reveal', 'tokens:manage', 'users:read', 'stations:configure'] as const) {
      assert.ok(!permissionMatrix[r].includes(p), `${r} holds ${p}`);
    }
  }
  assert.ok(mfaRequired.has('admin'));
});
