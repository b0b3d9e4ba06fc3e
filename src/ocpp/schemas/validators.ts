import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createRequire } from 'node:module';
import { loadSchemas, type OcppVersion } from './sources.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const draft06 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json') as object;

export interface Violation {
  /** the JSON-schema keyword that failed (required, type, enum, additionalProperties, …) */
  keyword: string;
  /** where in the payload, as a JSON pointer */
  path: string;
  message: string;
}

export interface ActionValidators {
  request: ValidateFunction;
  response: ValidateFunction;
}

/** Compiled validators of every action of one OCPP version, built once per process. */
export class SchemaSet {
  readonly actions: ReadonlyMap<string, ActionValidators>;

  constructor(readonly version: OcppVersion) {
    // OCA's 2.0.1 files declare draft-06 and carry a `javaType` annotation; both are
    // declared here so Ajv can stay in strict mode for everything else.
    const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: false, messages: true, code: { optimize: true } });
    ajv.addMetaSchema(draft06);
    ajv.addKeyword({ keyword: 'javaType', schemaType: 'string' });
    addFormats(ajv);
    const compiled = new Map<string, ActionValidators>();
    for (const [action, pair] of loadSchemas(version)) {
      compiled.set(action, {
        request: ajv.compile(withoutId(pair.request)),
        response: ajv.compile(withoutId(pair.response)),
      });
    }
    this.actions = compiled;
  }
}

// The $ids of OCA's files repeat across request/response pairs of some versions; the validators
// never resolve across files, so ids are dropped instead of registered.
function withoutId(schema: Record<string, unknown>): Record<string, unknown> {
  const { $id: _id, id: _legacyId, ...rest } = schema;
  return rest;
}

export function firstViolation(errors: ErrorObject[] | null | undefined): Violation {
  const e = errors?.[0];
  if (!e) return { keyword: 'unknown', path: '', message: 'invalid payload' };
  const where = e.keyword === 'required' || e.keyword === 'additionalProperties'
    ? `${e.instancePath}/${String((e.params as Record<string, unknown>).missingProperty ?? (e.params as Record<string, unknown>).additionalProperty)}`
    : e.instancePath;
  return { keyword: e.keyword, path: where, message: `${where || '/'} ${e.message ?? 'is invalid'}` };
}

const cache = new Map<OcppVersion, SchemaSet>();
export function schemaSet(version: OcppVersion): SchemaSet {
  let set = cache.get(version);
  if (!set) cache.set(version, (set = new SchemaSet(version)));
  return set;
}
