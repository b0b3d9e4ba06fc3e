// A storage suite whose PostgreSQL back end cannot start is reported as
// cancelled by node:test; this test turns that into a plain, named failure.
import { it } from 'node:test';
import { assertPostgresReachable } from '../helpers/db.js';

it('PostgreSQL for the storage tests is reachable (else run scripts/ensure-postgres.sh)', async () => {
  await assertPostgresReachable();
});
