/**
 * The Argo backend against the test cluster's real kube-apiserver (Argo's full CRD schema, RBAC): what it submits is
 * stored unchanged under strict field validation, and every refusal is one line a person can act on.
 */
import { join } from 'node:path';

import { createRun } from '../../packages/core/src/run/argo/backend.js';
import { ClusterError } from '../../packages/core/src/run/argo/errors.js';
import { ClientNodeKube } from '../../packages/core/src/run/argo/kube.js';
import { prepareSubmission } from '../../packages/core/src/run/argo/submission.js';
import {
  admin,
  adminKubeConfig,
  documentedUserKube,
  NAMESPACE,
  serviceAccountKube,
  SERVER,
  tokenKubeConfig,
} from './identities.js';
import { repo } from './harness.js';

const examples = ['examples/wine/wine.ipynb', 'examples/word-stats/word_stats.ipynb'];

interface Stored {
  metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

async function refusal(promise: Promise<unknown>): Promise<ClusterError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClusterError) return error;
    throw error;
  }
  throw new Error('expected the cluster to refuse');
}

/** A submission that Argo's controller leaves alone (suspended), so these tests start no pods. */
function suspended(notebook: string): ReturnType<typeof prepareSubmission> {
  const submission = prepareSubmission({ notebookPath: join(repo, notebook) });
  (submission.workflow['spec'] as Record<string, unknown>)['suspend'] = true;
  return submission;
}

let user: ClientNodeKube;
beforeAll(async () => {
  user = await documentedUserKube();
});

describe.each(examples)('%s submitted as the user of docs/cluster/rbac.yaml', (notebook) => {
  let submission: ReturnType<typeof prepareSubmission>;
  let stored: Stored;

  beforeAll(async () => {
    submission = suspended(notebook);
    // The API server's answer to create is the object as stored, before Argo's controller writes to it.
    stored = (await createRun(user, submission.name, submission.workflow, submission.configMap)) as unknown as Stored;
  });
  afterAll(() => admin(['delete', 'workflow', submission.name, '--ignore-not-found']));

  it('is stored unchanged under the full CRD with strict field validation: nothing pruned or defaulted away', () => {
    expect(stored.spec).toEqual(submission.workflow['spec']);
    const metadata = submission.workflow['metadata'] as Stored['metadata'];
    expect(stored.metadata.labels).toEqual(metadata.labels);
    expect(stored.metadata.annotations).toEqual(metadata.annotations);
  });

  it('ships the bundle in a ConfigMap owned by the Workflow, so the Workflow stays small', async () => {
    const configMap = JSON.parse(await admin(['get', 'configmap', `${submission.name}-bundle`, '-o', 'json'])) as {
      metadata: { ownerReferences?: { kind: string; name: string; uid: string }[] };
      data: Record<string, string>;
    };
    expect(configMap.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Workflow', name: submission.name, uid: stored.metadata.uid }),
    ]);
    expect(configMap.data).toEqual(submission.configMap.data);
    expect(JSON.stringify(stored.spec)).not.toContain(configMap.data['bundle.b64']?.slice(0, 200));
  });
});

describe('refusals, one line each, against the real API server', () => {
  it('401: a token the API server does not know', async () => {
    const kube = new ClientNodeKube(tokenKubeConfig('not-a-real-token-4711'), NAMESPACE);
    const error = await refusal(createRun(kube, 'x', {}, { metadata: { name: 'x-bundle' } }));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/rejected the kubeconfig's credentials \(401 Unauthorized\)/);
    expect(error.message).not.toContain('4711');
  });

  it('403: a token bound to a Role that cannot create Workflows names the verb, the resource and rbac.yaml; nothing is left behind', async () => {
    const kube = await serviceAccountKube('cellpipe-no-create', {
      name: 'cellpipe-no-create',
      rules: [
        { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'patch', 'delete'] },
      ],
    });
    const submission = suspended(examples[1] as string);
    const error = await refusal(createRun(kube, submission.name, submission.workflow, submission.configMap));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(
      /^RBAC denied 'create' on workflows\.argoproj\.io in namespace 'argo' \(403 Forbidden: .*\): ask for the minimal Role in docs\/cluster\/rbac\.yaml$/,
    );
    expect(await admin(['get', 'configmap', `${submission.name}-bundle`, '--ignore-not-found'])).toBe('');
  });

  it("404: an API server that does not serve Argo's Workflow resource", async () => {
    // The real API server asked for Argo's resource under an API group it does not serve (as the admin, so that
    // RBAC lets the request reach routing): the same 404 it gives for argoproj.io when Argo's CRDs are not installed.
    const kube = new ClientNodeKube(adminKubeConfig(`${SERVER}/apis/no-argo-here.example.com`), NAMESPACE);
    const error = await refusal(createRun(kube, 'x', {}, { metadata: { name: 'x-bundle' } }));
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/^Argo Workflows is not installed in this cluster/);
  });

  it('409: a Workflow of that name exists already; the run leaves no ConfigMap behind', async () => {
    const submission = suspended(examples[1] as string);
    await admin(['create', '-f', '-'], JSON.stringify(submission.workflow));
    try {
      const error = await refusal(createRun(user, submission.name, submission.workflow, submission.configMap));
      expect(error.status).toBe(409);
      expect(error.message).toMatch(
        new RegExp(
          `^workflows\\.argoproj\\.io in namespace 'argo' conflicts .*409 Conflict: .*"${submission.name}" already exists`,
        ),
      );
      expect(await admin(['get', 'configmap', `${submission.name}-bundle`, '--ignore-not-found'])).toBe('');
    } finally {
      await admin(['delete', 'workflow', submission.name, '--ignore-not-found']);
    }
  });

  it("422 and strict decoding: the API server's own validation message", async () => {
    const invalid = await refusal(
      user.createWorkflow({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { generateName: 'invalid-' },
        spec: { entrypoint: 'main', parallelism: 'many', templates: [{ name: 'main', suspend: {} }] },
      }),
    );
    expect(invalid.status).toBe(422);
    expect(invalid.message).toMatch(
      /^the API server rejected workflows\.argoproj\.io in namespace 'argo' \(422 Invalid\): .*spec\.parallelism/,
    );
    const unknownField = await refusal(
      user.createWorkflow({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { generateName: 'unknown-' },
        spec: { entrypoint: 'main', bogusField: 1, templates: [{ name: 'main', suspend: {} }] },
      }),
    );
    expect(unknownField.status).toBe(400);
    expect(unknownField.message).toMatch(/strict decoding error: unknown field "spec\.bogusField"/);
  });

  it('unreachable: nothing listens at the address', async () => {
    const kube = new ClientNodeKube(tokenKubeConfig('t', 'https://127.0.0.1:1'), NAMESPACE);
    const error = await refusal(createRun(kube, 'x', {}, { metadata: { name: 'x-bundle' } }));
    expect(error.message).toBe(
      'cannot reach the Kubernetes API server at https://127.0.0.1:1 (ECONNREFUSED): check that the cluster is up and the kubeconfig context points to it',
    );
  });
});
