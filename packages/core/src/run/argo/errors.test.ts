import { artifactRepositoryHint, ClusterError, clusterError, redact, type KubeAction } from './errors.js';

const create: KubeAction = {
  verb: 'create',
  resource: 'workflows.argoproj.io',
  namespace: 'argo',
  server: 'https://10.0.0.1:6443',
};

function apiError(code: number, body: unknown): { code: number; body: unknown } {
  return { code, body };
}

describe('clusterError', () => {
  it('says the server is unreachable, with the cause and the address', () => {
    const error = clusterError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), create);
    expect(error.message).toBe(
      'cannot reach the Kubernetes API server at https://10.0.0.1:6443 (ECONNREFUSED): check that the cluster is up and the kubeconfig context points to it',
    );
    expect(error.status).toBeUndefined();
  });

  it('asks for new credentials on 401', () => {
    const error = clusterError(apiError(401, { message: 'Unauthorized' }), create);
    expect(error.message).toMatch(/rejected the kubeconfig's credentials \(401 Unauthorized\).*renew the token/);
    expect(error.status).toBe(401);
  });

  it('names the verb and resource RBAC denied, and the minimal Role, on 403', () => {
    const body = JSON.stringify({
      kind: 'Status',
      message:
        'workflows.argoproj.io is forbidden: User "dev" cannot create resource "workflows" in API group "argoproj.io" in the namespace "argo"',
      reason: 'Forbidden',
      code: 403,
    });
    const error = clusterError(apiError(403, body), create);
    expect(error.message).toMatch(
      /^RBAC denied 'create' on workflows.argoproj.io in namespace 'argo' \(403 Forbidden: .*cannot create resource "workflows".*docs\/cluster\/rbac.yaml$/,
    );
  });

  it('says Argo is not installed when the workflows resource does not exist (404 without a name)', () => {
    const body = {
      kind: 'Status',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
    };
    expect(clusterError(apiError(404, body), create).message).toMatch(
      /^Argo Workflows is not installed in this cluster/,
    );
    expect(clusterError(apiError(404, '404 page not found\n'), { ...create, verb: 'list' }).message).toMatch(
      /^Argo Workflows is not installed/,
    );
  });

  it('tells a missing namespace and a missing object apart from a missing CRD', () => {
    const namespace = { message: 'namespaces "nope" not found', details: { name: 'nope', kind: 'namespaces' } };
    expect(clusterError(apiError(404, namespace), { ...create, namespace: 'nope' }).message).toBe(
      "namespace 'nope' does not exist in this cluster",
    );
    const workflow = { message: 'workflows.argoproj.io "w" not found', details: { name: 'w', kind: 'workflows' } };
    expect(clusterError(apiError(404, workflow), { ...create, verb: 'get', name: 'w' }).message).toBe(
      "workflows.argoproj.io 'w' in namespace 'argo' not found",
    );
  });

  it("carries the API server's own message on 409 and 422", () => {
    expect(
      clusterError(apiError(409, { message: 'workflows.argoproj.io "w" already exists' }), { ...create, name: 'w' })
        .message,
    ).toBe(
      "workflows.argoproj.io 'w' in namespace 'argo' conflicts with the cluster's current state (409 Conflict: workflows.argoproj.io \"w\" already exists)",
    );
    const invalid = { message: 'Workflow.argoproj.io "w" is invalid: spec.parallelism: Invalid value: "string"' };
    expect(clusterError(apiError(422, invalid), create).message).toBe(
      `the API server rejected workflows.argoproj.io in namespace 'argo' (422 Invalid): ${invalid.message}`,
    );
  });

  it('never lets a token through, even when a message echoes one', () => {
    const error = clusterError(
      apiError(500, { message: 'bad header Authorization: Bearer abc.def.ghi token=xyz' }),
      create,
    );
    expect(error.message).not.toMatch(/abc\.def|xyz/);
    expect(redact('password: hunter2')).toBe('password: [redacted]');
    expect(error).toBeInstanceOf(ClusterError);
  });
});

describe('artifactRepositoryHint', () => {
  it("rewrites Argo's missing-artifact-repository message into what to configure", () => {
    const message =
      'You need to configure artifact storage. More information on how to do this can be found in the docs: https://argo-workflows.readthedocs.io/en/latest/configure-artifact-repository/';
    expect(artifactRepositoryHint(message, 'argo')).toMatch(
      /no artifact repository configured for namespace 'argo'.*docs\/cluster\/README.md/,
    );
    expect(artifactRepositoryHint('Error (exit code 1)', 'argo')).toBeUndefined();
  });
});
