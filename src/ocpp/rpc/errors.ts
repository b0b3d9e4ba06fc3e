import type { OcppVersion } from '../schemas/sources.js';

/**
 * Version-neutral RPC error kinds (spelled as in OCPP-J 2.0.1) and how each version's OCPP-J
 * specification spells them on the wire. 1.6 lacks RpcFrameworkError and
 * MessageTypeNotSupported; frame-level faults are FormationViolation there.
 */
export const rpcErrorKinds = [
  'FormatViolation', 'GenericError', 'InternalError', 'MessageTypeNotSupported', 'NotImplemented',
  'NotSupported', 'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError',
  'RpcFrameworkError', 'SecurityError', 'TypeConstraintViolation',
] as const;
export type RpcErrorKind = (typeof rpcErrorKinds)[number];

const spelling: Record<OcppVersion, Record<RpcErrorKind, string>> = {
  'ocpp1.6': {
    FormatViolation: 'FormationViolation',
    GenericError: 'GenericError',
    InternalError: 'InternalError',
    MessageTypeNotSupported: 'FormationViolation',
    NotImplemented: 'NotImplemented',
    NotSupported: 'NotSupported',
    OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
    PropertyConstraintViolation: 'PropertyConstraintViolation',
    ProtocolError: 'ProtocolError',
    RpcFrameworkError: 'FormationViolation',
    SecurityError: 'SecurityError',
    TypeConstraintViolation: 'TypeConstraintViolation',
  },
  'ocpp2.0.1': Object.fromEntries(rpcErrorKinds.map((k) => [k, k])) as Record<RpcErrorKind, string>,
};

export function wireErrorCode(version: OcppVersion, kind: RpcErrorKind): string {
  return spelling[version][kind];
}

/** The error kind a failed JSON-schema keyword stands for. */
const keywordKinds: Record<string, RpcErrorKind> = {
  required: 'OccurrenceConstraintViolation',
  minItems: 'OccurrenceConstraintViolation',
  maxItems: 'OccurrenceConstraintViolation',
  type: 'TypeConstraintViolation',
  enum: 'PropertyConstraintViolation',
  const: 'PropertyConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
  format: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
};

export function kindOfSchemaKeyword(keyword: string): RpcErrorKind {
  return keywordKinds[keyword] ?? 'FormatViolation';
}

/** An RPC-level failure that is answered with a CALLERROR. */
export class RpcError extends Error {
  constructor(
    readonly kind: RpcErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'RpcError';
  }
}
