import { z } from 'zod';
import { errorBodySchema } from '../sync-protocol';
import type { Route } from './routes/route';

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  // Refinements (such as a push's contiguous seqs) have no JSON Schema form: they are described in summaries.
  const document = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  // The dialect is the document's (OpenAPI 3.1 is JSON Schema 2020-12), not repeated per schema.
  delete document.$schema;
  return document;
}

const pathParams = (path: string) => [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1] ?? '');

function parameters(route: Route): JsonObject[] {
  const inPath = pathParams(route.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const inQuery = Object.entries(route.query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !schema.safeParse(undefined).success,
    schema: jsonSchema(schema, 'input'),
  }));
  return [...inPath, ...inQuery];
}

/** `GET /api/v1/devices/{id}` → `getDevicesById`: stable names for generated clients. */
const operationId = (route: Route) =>
  [route.method.toLowerCase(), ...route.path.replace(/^\/api\/v1/, '').split(/[/.-]/)]
    .filter(Boolean)
    .map((part, i) => {
      const word = part.replace(/^\{(.+)\}$/, 'by-$1').replace(/-(.)/g, (_, c: string) => c.toUpperCase());
      return i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1);
    })
    .join('');

const accessText = (access: Route['access']) =>
  access === 'public'
    ? 'Anyone.'
    : access === 'station'
      ? 'An enrolled station (its tls_ credential).'
      : access === 'user'
        ? 'Any user with an API token (tlt_).'
        : `A user holding ${access} (API token tlt_).`;

/** Generated from the route table, so every route served is documented and nothing documented is missing. */
export function openApiDocument(routes: readonly Route[]): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const operation: JsonObject = {
      operationId: operationId(route),
      summary: route.summary,
      description: `Who may call: ${accessText(route.access)}`,
      'x-trustline-access': route.access,
      parameters: parameters(route),
      responses: {
        [String(route.status)]: {
          description: 'Success',
          content: { 'application/json': { schema: jsonSchema(route.response, 'output') } },
        },
        default: {
          description: 'An error; `code` is one of the stable server error codes.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
        },
      },
      ...(route.access === 'public' ? { security: [] } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Trustline central server',
      version: '1',
      description:
        'Records pushed by provisioning stations, the configuration they pull, and the people who manage both.',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { ErrorBody: jsonSchema(errorBodySchema, 'output') },
    },
    security: [{ bearer: [] }],
  };
}
