import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';

/**
 * Ajv 2020 validator for Argo's published Workflow schema (test/schemas/argo/schema.json, unchanged on disk).
 * In memory, every object definition with listed properties gets `additionalProperties: false`, so a
 * misspelt or misplaced field fails validation instead of being ignored as Argo's own schema allows.
 */
export function argoWorkflowValidator(): (workflow: unknown) => string[] {
  const path = join(dirname(fileURLToPath(import.meta.url)), 'argo', 'schema.json');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as { definitions: Record<string, Record<string, unknown>> };
  for (const definition of Object.values(schema.definitions)) {
    if (definition['properties'] && definition['additionalProperties'] === undefined)
      definition['additionalProperties'] = false;
  }
  const ajv = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(schema);
  const validate = ajv.compile({
    $ref: `${String((schema as { $id?: string }).$id)}#/definitions/io.argoproj.workflow.v1alpha1.Workflow`,
  });
  return (workflow) =>
    validate(workflow)
      ? []
      : (validate.errors ?? []).map(
          (error) => `${error.instancePath} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
        );
}
