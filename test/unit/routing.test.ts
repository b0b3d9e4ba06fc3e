import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { adapterOf } from '../../src/ocpp/adapter.js';
import { protocol } from '../../src/ocpp/protocols.js';
import { routingTable, unrouted } from '../../src/ocpp/routing.js';
import { v16Adapter } from '../../src/ocpp/v16/index.js';
import { v201Adapter } from '../../src/ocpp/v201/index.js';
import { complianceMatrix, markers } from '../../tools/compliance-matrix.js';

describe('routing tables', () => {
  for (const adapter of [v16Adapter, v201Adapter]) {
    it(`${adapter.version}: every action of the official schema set is handled or sendable`, () => {
      assert.deepEqual(unrouted(adapter), []);
    });

    it(`${adapter.version}: handlers and commands use only actions of the schema set, in the right direction`, () => {
      const p = protocol(adapter.version);
      for (const action of adapter.handlers.keys()) assert.ok(p.fromStation.has(action), `${action} is not station-initiated`);
      for (const m of Object.values(adapter.commands)) {
        for (const { action } of m ? [m, ...(m.variants ?? [])] : []) assert.ok(p.toStation.has(action), `${action} is not CSMS-initiated`);
      }
      assert.equal(routingTable(adapter).length, p.schemas.actions.size);
    });
  }

  it('an action claimed by two handler blocks is refused', () => {
    const h = { Heartbeat: () => ({}) };
    assert.throws(() => adapterOf('ocpp1.6', { a: h, b: h }, {}), /Heartbeat is handled by two blocks/);
  });

  it('every action is exercised by at least one socket-level test file', () => {
    const untested = complianceMatrix().split('\n').filter((row) => row.endsWith('| **none** |')).map((row) => row.split(' | ')[0]);
    assert.deepEqual(untested, []);
  });

  it('the README action matrix is the generated one', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = readme.slice(readme.indexOf(markers.begin) + markers.begin.length + 1, readme.indexOf(markers.end));
    assert.equal(block, complianceMatrix(), 'README action matrix is stale: run npm run gen:readme');
  });
});
