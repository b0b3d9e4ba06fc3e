import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generate } from '../../tools/gen-ocpp-types.js';
import { protocol } from '../../src/ocpp/protocols.js';
import { v16Adapter } from '../../src/ocpp/v16/index.js';
import { v201Adapter } from '../../src/ocpp/v201/index.js';

describe('official OCPP schemas', () => {
  it('has the complete action sets: 1.6 with the security extensions (39) and 2.0.1 (64)', () => {
    assert.equal(protocol('ocpp1.6').schemas.actions.size, 39);
    assert.equal(protocol('ocpp2.0.1').schemas.actions.size, 64);
  });

  it('every action is either initiated by the station or by the CSMS (DataTransfer both)', () => {
    for (const v of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      const p = protocol(v);
      for (const action of p.schemas.actions.keys()) {
        assert.ok(p.fromStation.has(action) || p.toStation.has(action), `${v} ${action} has a direction`);
      }
      for (const a of p.fromStation) assert.ok(p.schemas.actions.has(a), `${v} ${a} exists in the schema set`);
      assert.ok(p.fromStation.has('DataTransfer') && p.toStation.has('DataTransfer'));
    }
  });

  it('handlers and commands only use actions of their version and direction', () => {
    for (const a of [v16Adapter, v201Adapter]) {
      const p = protocol(a.version);
      for (const action of a.handlers.keys()) assert.ok(p.fromStation.has(action), `${a.version} handles ${action}`);
      for (const c of Object.values(a.commands)) assert.ok(p.toStation.has(c!.action), `${a.version} sends ${c!.action}`);
    }
  });

  it('the committed TypeScript types are exactly what the generator makes from the schemas', async () => {
    for (const [v, file] of [['ocpp1.6', 'src/ocpp/types/generated/v16.ts'], ['ocpp2.0.1', 'src/ocpp/types/generated/v201.ts']] as const) {
      assert.equal(readFileSync(file, 'utf8'), await generate(v), `${file} is stale: run npm run gen:types`);
    }
  });
});
