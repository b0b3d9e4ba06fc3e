import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { protocol } from '../../src/ocpp/protocols.js';
import { v16 } from '../../src/sim/v16.js';
import { v201 } from '../../src/sim/v201.js';

describe('simulator coverage', () => {
  for (const [dialect, version] of [[v16, 'ocpp1.6'], [v201, 'ocpp2.0.1']] as const) {
    it(`${version}: the simulated station answers every CSMS-initiated action of the schema set`, () => {
      assert.deepEqual([...protocol(version).toStation].filter((action) => !dialect.handlers.has(action)), []);
    });
  }
});
