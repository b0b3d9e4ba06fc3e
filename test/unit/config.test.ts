import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, configurationTable, loadConfig } from '../../src/config/config.js';

describe('configuration', () => {
  it('uses defaults, then environment, then flags', () => {
    assert.equal(loadConfig({}, {}).ocppPort, 9000);
    assert.equal(loadConfig({}, { OV2X_OCPP_PORT: '9100' }).ocppPort, 9100);
    assert.equal(loadConfig({ ocppPort: '9200' }, { OV2X_OCPP_PORT: '9100' }).ocppPort, 9200);
    assert.equal(loadConfig({}, { OV2X_AUTO_REGISTER: 'yes' }).autoRegister, true);
    assert.equal(loadConfig({ autoRegister: true }, {}).autoRegister, true);
  });

  it('reports every bad value at once with its reason, never echoing secrets', () => {
    const err = (() => {
      try {
        loadConfig({}, { OV2X_OCPP_PORT: '70000', OV2X_LOG_LEVEL: 'loud', OV2X_OCPP_PATH: 'ocpp/', DATABASE_URL: 'mysql://u:s3cret@h/db', OV2X_HEARTBEAT_INTERVAL: 'often' });
      } catch (e) {
        return e as ConfigError;
      }
      return assert.fail('expected ConfigError');
    })();
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 5);
    assert.match(err.message, /OV2X_OCPP_PORT="70000": must be between 0 and 65535/);
    assert.match(err.message, /OV2X_LOG_LEVEL="loud": must be one of/);
    assert.match(err.message, /OV2X_HEARTBEAT_INTERVAL="often": must be an integer/);
    assert.match(err.message, /DATABASE_URL: must be a postgres:\/\/ URL/);
    assert.ok(!err.message.includes('s3cret'));
  });

  it('the README configuration table is the generated one', () => {
    assert.ok(readFileSync('README.md', 'utf8').includes(configurationTable()), 'README table is stale: run npm run gen:readme');
  });
});
