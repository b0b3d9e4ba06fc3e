import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kindOfSchemaKeyword, rpcErrorKinds, wireErrorCode } from '../../src/ocpp/rpc/errors.js';
import { decodeFrame, FrameError, jsonDepthExceeds } from '../../src/ocpp/rpc/frame.js';

const fails = (text: string): FrameError => {
  try {
    decodeFrame(text, 16);
  } catch (e) {
    assert.ok(e instanceof FrameError);
    return e;
  }
  return assert.fail('expected a FrameError');
};

describe('OCPP-J frame decoding', () => {
  it('decodes the three message types', () => {
    assert.deepEqual(decodeFrame('[2,"1","Heartbeat",{}]', 16), { type: 2, id: '1', action: 'Heartbeat', payload: {} });
    assert.deepEqual(decodeFrame('[3,"1",{"a":1}]', 16), { type: 3, id: '1', payload: { a: 1 } });
    assert.deepEqual(decodeFrame('[4,"1","GenericError","d",{}]', 16), { type: 4, id: '1', code: 'GenericError', description: 'd', details: {} });
  });

  it('rejects what is not an OCPP-J frame, keeping the id when it can be read', () => {
    assert.equal(fails('nope').id, '-1');
    assert.equal(fails('[2]').id, '-1');
    assert.equal(fails('[2, 5, "Heartbeat", {}]').id, '-1');
    assert.equal(fails(`[2, "${'x'.repeat(37)}", "Heartbeat", {}]`).id, '-1');
    const t = fails('[9, "abc", "Heartbeat", {}]');
    assert.deepEqual([t.kind, t.id], ['MessageTypeNotSupported', 'abc']);
    const p = fails('[2, "abc", "Heartbeat", null]');
    assert.deepEqual([p.kind, p.id, p.isCall], ['FormatViolation', 'abc', true]);
    assert.equal(fails('[3, "abc", {}, 1]').kind, 'RpcFrameworkError');
    assert.equal(fails('[4, "abc", "X", "d"]').kind, 'RpcFrameworkError');
  });

  it('measures nesting without recursion and ignores brackets inside strings', () => {
    assert.equal(jsonDepthExceeds('[[[]]]', 3), false);
    assert.equal(jsonDepthExceeds('[[[[]]]]', 3), true);
    assert.equal(jsonDepthExceeds('["[[[[[[", "\\"[[[["]', 1), false);
    assert.equal(jsonDepthExceeds('["a\\\\", [[1]]]', 2), true); // an escaped backslash ends the string
    assert.equal(jsonDepthExceeds('["unterminated [[[[', 1), false);
    assert.equal(jsonDepthExceeds('['.repeat(1_000_000), 64), true);
  });
});

describe('RPC error codes per version', () => {
  it('spells codes as each version\'s OCPP-J specification does', () => {
    assert.equal(wireErrorCode('ocpp1.6', 'OccurrenceConstraintViolation'), 'OccurenceConstraintViolation');
    assert.equal(wireErrorCode('ocpp2.0.1', 'OccurrenceConstraintViolation'), 'OccurrenceConstraintViolation');
    assert.equal(wireErrorCode('ocpp1.6', 'FormatViolation'), 'FormationViolation');
    assert.equal(wireErrorCode('ocpp2.0.1', 'FormatViolation'), 'FormatViolation');
    const v16Codes = new Set(['NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation', 'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError']);
    for (const k of rpcErrorKinds) assert.ok(v16Codes.has(wireErrorCode('ocpp1.6', k)), `${k} has a 1.6 spelling`);
  });

  it('maps schema keywords to error kinds', () => {
    assert.equal(kindOfSchemaKeyword('required'), 'OccurrenceConstraintViolation');
    assert.equal(kindOfSchemaKeyword('type'), 'TypeConstraintViolation');
    assert.equal(kindOfSchemaKeyword('maxLength'), 'PropertyConstraintViolation');
    assert.equal(kindOfSchemaKeyword('additionalProperties'), 'FormatViolation');
  });
});
