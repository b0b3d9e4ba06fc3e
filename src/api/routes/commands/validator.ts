import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

// Fastify's own Ajv strips unknown properties (removeAdditional) and coerces types while it
// tries each branch of a union, which corrupts a command before the right branch is reached.
// The command routes validate with this one instead: `oneOf` told apart by the `kind`
// discriminator, nothing removed or coerced, unknown properties refused.
const ajv = new Ajv({ discriminator: true, strict: false, useDefaults: true, coerceTypes: false, removeAdditional: false, allErrors: false });
addFormats(ajv);

export const commandValidator = <T>({ schema }: FastifyRouteSchemaDef<T>) => ajv.compile(schema as object);
