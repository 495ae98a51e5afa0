/** `Status` bodies with the messages and details kube-apiserver sends. */
import { qualified, type ResourceType } from './resources.js';

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: Record<string, unknown>;
  code: number;
}

export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export const UNAUTHORIZED = (): StatusBody => status(401, 'Unauthorized', 'Unauthorized');

export const NOT_FOUND_PATH = (): StatusBody =>
  status(404, 'NotFound', 'the server could not find the requested resource', {});

export const METHOD_NOT_ALLOWED = (): StatusBody =>
  status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function groupResourceDetails(t: ResourceType, name?: string): Record<string, unknown> {
  return { ...(name ? { name } : {}), ...(t.group ? { group: t.group } : {}), kind: t.resource };
}

export function notFoundObject(t: ResourceType, name: string): StatusBody {
  return status(404, 'NotFound', `${qualified(t)} "${name}" not found`, groupResourceDetails(t, name));
}

export function forbiddenStatus(
  user: string,
  verb: string,
  t: ResourceType | undefined,
  subresource: string | undefined,
  namespace: string | undefined,
  name: string | undefined,
  path: string,
): StatusBody {
  if (!t) return status(403, 'Forbidden', `forbidden: User "${user}" cannot ${verb} path "${path}"`, {});
  const resource = subresource ? `${t.resource}/${subresource}` : t.resource;
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const why = `User "${user}" cannot ${verb} resource "${resource}" in API group "${t.group}" ${scope}`;
  const subject = name ? `${qualified(t)} "${name}"` : qualified(t);
  return status(403, 'Forbidden', `${subject} is forbidden: ${why}`, groupResourceDetails(t, name));
}

export function badRequest(message: string): StatusBody {
  return status(400, 'BadRequest', message);
}
