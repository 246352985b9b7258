/**
 * Identities for the Argo backend's tests against the test cluster's real API server: service accounts bound to
 * a given Role (tokens from the TokenRequest API), a bad token, and kubeconfigs built for each.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { KubeConfig } from '@kubernetes/client-node';

import { ClientNodeKube } from '../../packages/core/src/run/argo/kube.js';
import { clusterRoot, repo } from './harness.js';

const exec = promisify(execFile);
const run = join(clusterRoot, 'run');
export const SERVER = 'https://127.0.0.1:16443';
export const NAMESPACE = 'argo';

/** kubectl as the cluster's admin (namespace argo), with `input` on stdin. */
export async function admin(args: string[], input?: string): Promise<string> {
  const child = exec(
    join(clusterRoot, 'bin', 'kubectl'),
    ['--kubeconfig', join(run, 'admin.kubeconfig'), '-n', NAMESPACE, ...args],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  return (await child).stdout;
}

/** A kubeconfig for the test cluster with a bearer token; `server` may be changed to aim elsewhere. */
export function tokenKubeConfig(token: string, server = SERVER): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server, caFile: join(run, 'pki', 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'user', token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'user', namespace: NAMESPACE }],
    currentContext: 'test',
  });
  return config;
}

/** The cluster admin's kubeconfig (client certificate), aimed at `server`. */
export function adminKubeConfig(server = SERVER): KubeConfig {
  const admin = new KubeConfig();
  admin.loadFromFile(join(run, 'admin.kubeconfig'));
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: admin.clusters.map((cluster) => ({ ...cluster, server })),
    users: admin.users,
    contexts: admin.contexts.map((context) => ({ ...context, namespace: NAMESPACE })),
    currentContext: admin.currentContext,
  });
  return config;
}

/**
 * A service account bound to `role` (created here with `rules`, or an existing Role by name), and the
 * `KubeApi` that acts as it with a token from the TokenRequest API.
 */
export async function serviceAccountKube(
  name: string,
  role: { name: string; rules?: object[] },
): Promise<ClientNodeKube> {
  const objects: object[] = [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } }];
  if (role.rules)
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: role.name },
      rules: role.rules,
    });
  objects.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: NAMESPACE }],
  });
  await admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  const token = (await admin(['create', 'token', name, '--duration', '1h'])).trim();
  return new ClientNodeKube(tokenKubeConfig(token), NAMESPACE);
}

/** The user of docs/cluster/rbac.yaml: exactly the Role the docs tell a platform engineer to grant. */
export async function documentedUserKube(): Promise<ClientNodeKube> {
  await admin(['apply', '-f', join(repo, 'docs', 'cluster', 'rbac.yaml')]);
  return serviceAccountKube('cellpipe-documented-user', { name: 'cellpipe-user' });
}
