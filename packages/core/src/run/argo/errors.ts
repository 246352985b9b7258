/** A cluster problem a person can act on, in one line; never carries credentials. */
export class ClusterError extends Error {
  override name = 'ClusterError';

  constructor(
    message: string,
    /** The HTTP status of the API call that failed, when there was one. */
    readonly status?: number,
  ) {
    super(redact(message));
  }
}

/** The API call that failed, to name it in the message. */
export interface KubeAction {
  verb: 'create' | 'get' | 'list' | 'watch' | 'patch' | 'delete';
  /** Plural resource, with its group for custom resources: `workflows.argoproj.io`, `configmaps`, `pods/log`. */
  resource: string;
  namespace?: string;
  name?: string;
  /** The API server's address, for "unreachable". */
  server?: string;
}

export const RBAC_DOC = 'docs/cluster/rbac.yaml';
export const CLUSTER_DOC = 'docs/cluster/README.md';

/** The one place API errors become messages: `error` is what @kubernetes/client-node threw (or a fetch error). */
export function clusterError(error: unknown, action: KubeAction): ClusterError {
  if (error instanceof ClusterError) return error;
  const status = Private.httpStatus(error);
  const serverMessage = Private.serverMessage(error);
  const target = `${action.resource}${action.name ? ` '${action.name}'` : ''}${action.namespace ? ` in namespace '${action.namespace}'` : ''}`;
  switch (status) {
    case undefined: {
      const cause = Private.networkCause(error);
      return new ClusterError(
        `cannot reach the Kubernetes API server${action.server ? ` at ${action.server}` : ''} (${cause}): check that the cluster is up and the kubeconfig context points to it`,
      );
    }
    case 401:
      return new ClusterError(
        `the Kubernetes API server rejected the kubeconfig's credentials (401 Unauthorized) while trying to ${action.verb} ${target}: log in again or renew the token of the context`,
        401,
      );
    case 403:
      return new ClusterError(
        `RBAC denied '${action.verb}' on ${target} (403 Forbidden${serverMessage ? `: ${serverMessage}` : ''}): ask for the minimal Role in ${RBAC_DOC}`,
        403,
      );
    case 404:
      if (Private.isMissingNamespace(error))
        return new ClusterError(`namespace '${action.namespace}' does not exist in this cluster`, 404);
      if (action.resource === ARGO_WORKFLOWS && (!action.name || Private.isMissingResourceType(error)))
        return new ClusterError(
          `Argo Workflows is not installed in this cluster (the API server does not serve ${ARGO_WORKFLOWS}/v1alpha1): install it as ${CLUSTER_DOC} describes`,
          404,
        );
      return new ClusterError(`${target} not found`, 404);
    case 409:
      return new ClusterError(
        `${target} conflicts with the cluster's current state (409 Conflict${serverMessage ? `: ${serverMessage}` : ''})`,
        409,
      );
    case 422:
      return new ClusterError(`the API server rejected ${target} (422 Invalid): ${serverMessage ?? 'no message'}`, 422);
    case 400:
      return new ClusterError(
        `the API server rejected ${target} (400 Bad Request): ${serverMessage ?? 'no message'}`,
        400,
      );
    default:
      return new ClusterError(
        `the API server could not ${action.verb} ${target} (HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''})`,
        status,
      );
  }
}

/** Argo's message when it has nowhere to put output artifacts, rewritten into what to do about it. */
export function artifactRepositoryHint(message: string | undefined, namespace: string): string | undefined {
  if (!message || !/configure artifact storage|default archive location|artifact repositor/i.test(message))
    return undefined;
  return `Argo has no artifact repository configured for namespace '${namespace}', and cellpipe passes step outputs as artifacts: configure one (S3, GCS, MinIO...) as ${CLUSTER_DOC} describes`;
}

export const ARGO_WORKFLOWS = 'workflows.argoproj.io';

/** Tokens and passwords never leave cellpipe, even when a server or library echoes them. */
export function redact(text: string): string {
  return text
    .replace(/(bearer\s+)[^\s"',]+/gi, '$1[redacted]')
    .replace(/((?:token|password|secret)["']?\s*[:=]\s*["']?)[^\s"',&]+/gi, '$1[redacted]')
    .replace(/\n/g, ' ');
}

namespace Private {
  interface ApiLike {
    code?: unknown;
    statusCode?: unknown;
    body?: unknown;
  }

  export function httpStatus(error: unknown): number | undefined {
    const { code, statusCode } = (error ?? {}) as ApiLike;
    if (typeof code === 'number') return code;
    if (typeof statusCode === 'number') return statusCode;
    return undefined;
  }

  /** The `Status` object the API server answered with, whether the client parsed it or left it as text. */
  export function status(error: unknown): {
    message?: string;
    reason?: string;
    details?: { kind?: string; name?: string };
  } {
    const body = ((error ?? {}) as ApiLike).body;
    if (typeof body === 'object' && body !== null) return body as ReturnType<typeof status>;
    if (typeof body === 'string') {
      try {
        const parsed = JSON.parse(body) as unknown;
        if (typeof parsed === 'object' && parsed !== null) return parsed as ReturnType<typeof status>;
      } catch {
        return { message: body.trim().split('\n')[0] };
      }
    }
    return {};
  }

  export function serverMessage(error: unknown): string | undefined {
    const message = status(error).message;
    return message ? message.trim() : undefined;
  }

  export function isMissingNamespace(error: unknown): boolean {
    return status(error).details?.kind === 'namespaces';
  }

  /** The API server's answer for a path no installed API serves (no CRD), as opposed to a missing object. */
  export function isMissingResourceType(error: unknown): boolean {
    const { message, details } = status(error);
    return !details?.name || /could not find the requested resource|page not found/i.test(message ?? '');
  }

  export function networkCause(error: unknown): string {
    const { code, message, cause } = (error ?? {}) as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
    if (typeof code === 'string') return code;
    if (typeof cause?.code === 'string') return cause.code;
    return typeof message === 'string' ? (message.split('\n')[0] ?? 'unknown error') : 'unknown error';
  }
}
