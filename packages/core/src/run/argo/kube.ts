import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { ARGO_WORKFLOWS, ClusterError, clusterError, type KubeAction } from './errors.js';
import type { ArgoWorkflow } from './nodes.js';

/** A ConfigMap as cellpipe creates it. */
export interface KubeConfigMap {
  metadata: {
    name?: string;
    generateName?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
  };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One open watch connection; `closed` settles when the server or the network ends it (null: a clean close). */
export interface WatchConnection {
  abort(): void;
  closed: Promise<Error | null>;
}

/** An open log stream: lines arrive through the callback until `closed` settles. */
export interface LogConnection {
  abort(): void;
  closed: Promise<Error | null>;
}

/**
 * Every Kubernetes call the Argo backend makes, in one small interface: the backend logic never sees the
 * client library, and errors leave here already mapped to one-line `ClusterError`s.
 */
export interface KubeApi {
  /** Namespace of the current context (or the one chosen), used when no other is given. */
  readonly namespace: string;
  readonly server: string;
  createWorkflow(body: Record<string, unknown>): Promise<ArgoWorkflow>;
  getWorkflow(name: string): Promise<ArgoWorkflow>;
  listWorkflows(labelSelector: string): Promise<{ items: ArgoWorkflow[]; resourceVersion: string }>;
  /** The list a watch starts from: only `name`, with the collection's resourceVersion. */
  listWorkflow(name: string): Promise<{ items: ArgoWorkflow[]; resourceVersion: string }>;
  patchWorkflow(name: string, patch: Record<string, unknown>): Promise<ArgoWorkflow>;
  deleteWorkflow(name: string): Promise<void>;
  watchWorkflow(
    name: string,
    resourceVersion: string,
    timeoutSeconds: number,
    onEvent: (type: WatchEventType, object: unknown) => void,
  ): Promise<WatchConnection>;
  createConfigMap(body: KubeConfigMap): Promise<KubeConfigMap>;
  getConfigMap(name: string): Promise<KubeConfigMap>;
  patchConfigMap(name: string, patch: Record<string, unknown>): Promise<KubeConfigMap>;
  deleteConfigMap(name: string): Promise<void>;
  /** Throws the one-line "Argo Workflows is not installed" when the API server does not serve Argo's Workflow resource. */
  checkArgoInstalled(): Promise<void>;
  /** Pod name by Argo node id, from the `workflows.argoproj.io/node-id` annotation of the workflow's pods. */
  workflowPods(workflow: string): Promise<Map<string, string>>;
  /** Streams a container's log lines (with their timestamps); `follow` keeps the stream open while it runs. */
  podLog(
    pod: string,
    options: { container: string; follow: boolean; sinceTime?: string; signal?: AbortSignal },
    onLine: (line: string) => void,
  ): Promise<LogConnection>;
}

export interface KubeTarget {
  /** kubeconfig context; default: the current one. */
  context?: string;
  /** default: the context's namespace, then `default`. */
  namespace?: string;
}

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const PLURAL = 'workflows';

/** The kubeconfig the standard way: `KUBECONFIG`, `~/.kube/config`, or the in-cluster service account. */
export function loadKubeConfig(target: KubeTarget = {}): KubeConfig {
  const config = new KubeConfig();
  try {
    config.loadFromDefault();
  } catch (error) {
    throw new ClusterError(`cannot read the kubeconfig: ${(error as Error).message.split('\n')[0]}`);
  }
  if (target.context) {
    if (!config.getContextObject(target.context)) {
      const known = config.getContexts().map((context) => context.name);
      throw new ClusterError(
        `kubeconfig context '${target.context}' does not exist (contexts: ${known.join(', ') || 'none'})`,
      );
    }
    config.setCurrentContext(target.context);
  }
  if (!config.getCurrentCluster())
    throw new ClusterError(
      'no Kubernetes cluster configured: set KUBECONFIG, write ~/.kube/config, or run inside a cluster',
    );
  return config;
}

/** `KubeApi` through @kubernetes/client-node. */
export class ClientNodeKube implements KubeApi {
  readonly namespace: string;
  readonly server: string;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  constructor(
    private readonly config: KubeConfig,
    namespace?: string,
  ) {
    this.namespace = namespace ?? config.getContextObject(config.getCurrentContext())?.namespace ?? 'default';
    this.server = config.getCurrentCluster()?.server ?? '';
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.core = config.makeApiClient(CoreV1Api);
  }

  static fromTarget(target: KubeTarget = {}): ClientNodeKube {
    return new ClientNodeKube(loadKubeConfig(target), target.namespace);
  }

  createWorkflow(body: Record<string, unknown>): Promise<ArgoWorkflow> {
    return this.call({ verb: 'create', resource: ARGO_WORKFLOWS }, () =>
      this.custom.createNamespacedCustomObject({ ...this.workflows(), body, fieldValidation: 'Strict' }),
    );
  }

  getWorkflow(name: string): Promise<ArgoWorkflow> {
    return this.call({ verb: 'get', resource: ARGO_WORKFLOWS, name }, () =>
      this.custom.getNamespacedCustomObject({ ...this.workflows(), name }),
    );
  }

  async listWorkflows(labelSelector: string): Promise<{ items: ArgoWorkflow[]; resourceVersion: string }> {
    const list = await this.call<{ items: ArgoWorkflow[]; metadata: { resourceVersion: string } }>(
      { verb: 'list', resource: ARGO_WORKFLOWS },
      () => this.custom.listNamespacedCustomObject({ ...this.workflows(), labelSelector }),
    );
    return { items: list.items, resourceVersion: list.metadata.resourceVersion };
  }

  async listWorkflow(name: string): Promise<{ items: ArgoWorkflow[]; resourceVersion: string }> {
    const list = await this.call<{ items: ArgoWorkflow[]; metadata: { resourceVersion: string } }>(
      { verb: 'list', resource: ARGO_WORKFLOWS, name },
      () => this.custom.listNamespacedCustomObject({ ...this.workflows(), fieldSelector: `metadata.name=${name}` }),
    );
    return { items: list.items, resourceVersion: list.metadata.resourceVersion };
  }

  patchWorkflow(name: string, patch: Record<string, unknown>): Promise<ArgoWorkflow> {
    return this.call({ verb: 'patch', resource: ARGO_WORKFLOWS, name }, () =>
      this.custom.patchNamespacedCustomObject({ ...this.workflows(), name, body: patch }, this.mergePatch),
    );
  }

  async deleteWorkflow(name: string): Promise<void> {
    await this.call({ verb: 'delete', resource: ARGO_WORKFLOWS, name }, () =>
      this.custom.deleteNamespacedCustomObject({ ...this.workflows(), name, propagationPolicy: 'Background' }),
    );
  }

  async watchWorkflow(
    name: string,
    resourceVersion: string,
    timeoutSeconds: number,
    onEvent: (type: WatchEventType, object: unknown) => void,
  ): Promise<WatchConnection> {
    const action: KubeAction = { verb: 'watch', resource: ARGO_WORKFLOWS, name, namespace: this.namespace };
    let settle: (error: Error | null) => void = () => undefined;
    const closed = new Promise<Error | null>((resolve) => (settle = resolve));
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(this.namespace)}/${PLURAL}`;
    const query = {
      fieldSelector: `metadata.name=${name}`,
      resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
    };
    const controller = await new Watch(this.config).watch(
      path,
      query,
      (type, object) => onEvent(type as WatchEventType, object),
      (error: unknown) => settle(error ? this.mapError(error, action) : null),
    );
    return { abort: () => controller.abort(), closed };
  }

  createConfigMap(body: KubeConfigMap): Promise<KubeConfigMap> {
    return this.call({ verb: 'create', resource: 'configmaps', name: body.metadata.name }, () =>
      this.core.createNamespacedConfigMap({ namespace: this.namespace, body, fieldValidation: 'Strict' }),
    );
  }

  getConfigMap(name: string): Promise<KubeConfigMap> {
    return this.call({ verb: 'get', resource: 'configmaps', name }, () =>
      this.core.readNamespacedConfigMap({ namespace: this.namespace, name }),
    );
  }

  patchConfigMap(name: string, patch: Record<string, unknown>): Promise<KubeConfigMap> {
    return this.call({ verb: 'patch', resource: 'configmaps', name }, () =>
      this.core.patchNamespacedConfigMap({ namespace: this.namespace, name, body: patch }, this.mergePatch),
    );
  }

  async deleteConfigMap(name: string): Promise<void> {
    await this.call({ verb: 'delete', resource: 'configmaps', name }, () =>
      this.core.deleteNamespacedConfigMap({ namespace: this.namespace, name }),
    );
  }

  async checkArgoInstalled(): Promise<void> {
    const action: KubeAction = { verb: 'get', resource: ARGO_WORKFLOWS, namespace: this.namespace };
    const response = await this.get(`/apis/${GROUP}/${VERSION}`, action);
    const body = await readBody(response);
    if (response.statusCode !== 200) throw this.mapError({ code: response.statusCode, body }, action);
    const resources = (JSON.parse(body) as { resources?: { name: string }[] }).resources ?? [];
    if (!resources.some((resource) => resource.name === PLURAL)) throw this.mapError({ code: 404, body: {} }, action);
  }

  async workflowPods(workflow: string): Promise<Map<string, string>> {
    const pods = await this.call<Awaited<ReturnType<CoreV1Api['listNamespacedPod']>>>(
      { verb: 'list', resource: 'pods' },
      () =>
        this.core.listNamespacedPod({
          namespace: this.namespace,
          labelSelector: `workflows.argoproj.io/workflow=${workflow}`,
        }),
    );
    const byNode = new Map<string, string>();
    for (const pod of pods.items) {
      const node = pod.metadata?.annotations?.['workflows.argoproj.io/node-id'];
      if (node && pod.metadata?.name) byNode.set(node, pod.metadata.name);
    }
    return byNode;
  }

  async podLog(
    pod: string,
    options: { container: string; follow: boolean; sinceTime?: string; signal?: AbortSignal },
    onLine: (line: string) => void,
  ): Promise<LogConnection> {
    const action: KubeAction = { verb: 'get', resource: 'pods/log', name: pod, namespace: this.namespace };
    const query = new URLSearchParams({ container: options.container, timestamps: 'true' });
    if (options.follow) query.set('follow', 'true');
    if (options.sinceTime) query.set('sinceTime', options.sinceTime);
    const path = `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods/${encodeURIComponent(pod)}/log?${query}`;
    // The signal also ends a request still waiting for headers (a follow of a silent container can wait long).
    const response = await this.get(path, action, options.signal);
    if (response.statusCode !== 200) {
      const body = await readBody(response);
      throw this.mapError({ code: response.statusCode, body }, action);
    }
    let buffered = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    const closed = new Promise<Error | null>((resolve) => {
      response.on('end', () => {
        if (buffered) onLine(buffered);
        resolve(null);
      });
      response.on('error', (error) => resolve(this.mapError(error, action)));
      // A stream destroyed here or cut by the network ends with 'close' and no 'end'.
      response.on('close', () => resolve(new ClusterError(`the log stream of pod '${pod}' was cut`)));
    });
    return { abort: () => response.destroy(), closed };
  }

  /** A GET through the kubeconfig's TLS and credentials, for the calls the generated client does not stream. */
  private async get(path: string, action: KubeAction, signal?: AbortSignal): Promise<IncomingMessage> {
    const url = new URL(`${this.server.replace(/\/$/, '')}${path}`);
    const requestOptions: RequestOptions = { method: 'GET', headers: {}, signal };
    await this.config.applyToHTTPSOptions(requestOptions);
    return new Promise<IncomingMessage>((resolve, reject) => {
      const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
      const request = send(url, requestOptions, resolve);
      request.on('error', reject);
      request.end();
    }).catch((error: unknown) => {
      throw this.mapError(error, action);
    });
  }

  private workflows(): { group: string; version: string; namespace: string; plural: string } {
    return { group: GROUP, version: VERSION, namespace: this.namespace, plural: PLURAL };
  }

  private async call<T>(action: KubeAction, perform: () => Promise<unknown>): Promise<T> {
    try {
      return (await perform()) as T;
    } catch (error) {
      throw this.mapError(error, action);
    }
  }

  private mapError(error: unknown, action: KubeAction): ClusterError {
    return clusterError(error, { namespace: this.namespace, server: this.server, ...action });
  }
}

async function readBody(response: IncomingMessage): Promise<string> {
  let text = '';
  response.setEncoding('utf8');
  for await (const chunk of response) text += chunk as string;
  return text;
}
