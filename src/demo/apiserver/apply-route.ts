/**
 * PATCH with `application/apply-patch+yaml` on the kinds complyd writes (server-side apply):
 * the checks kube-apiserver makes, in its order, then {@link serverSideApply}; the answer is
 * 201 when created, 200 otherwise, and with `dryRun=All` the same answer with nothing stored.
 */
import type { IncomingMessage } from 'node:http';
import { parse } from 'yaml';
import type { ApiObject } from './types.js';
import { groupVersionOf, type ResourceType } from './resources.js';
import { isRecord, type ObjectStore } from './object-store.js';
import type { Answer } from './respond.js';
import { conflictMessage, serverSideApply } from './apply.js';
import { badRequest, status } from './status.js';

/** The resources that accept server-side apply here. */
export const APPLIABLE = new Set(['validatingadmissionpolicies', 'validatingadmissionpolicybindings']);
export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';
/** kube-apiserver refuses request bodies over 3 MiB. */
const MAX_BODY_BYTES = 3 * 2 ** 20;

/** The request body, or undefined when it is larger than the bound (reading stops there). */
export function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function invalid(type: ResourceType, name: string, message: string): Answer {
  return { code: 422, body: status(422, 'Invalid', `${type.kind}.${type.group} "${name}" is invalid: ${message}`, { name, group: type.group, kind: type.kind }) };
}

export interface ApplyRequest {
  type: ResourceType;
  name: string;
  contentType: string | undefined;
  query: URLSearchParams;
  body: string | undefined;
  now: string;
}

/** What kube-apiserver refuses before it reads the body: the patch type, fieldManager, dryRun, force, the size. */
function requestProblem(a: ApplyRequest): Answer | undefined {
  const mediaType = (a.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== APPLY_PATCH_TYPE) {
    return { code: 415, body: status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${APPLY_PATCH_TYPE}`) };
  }
  if ((a.query.get('fieldManager') ?? '') === '') return { code: 400, body: badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch') };
  const dryRun = a.query.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All')) return { code: 400, body: badRequest(`Invalid dry run value: ${dryRun.join(', ')}; only All is supported`) };
  const force = a.query.get('force');
  if (force !== null && force !== 'true' && force !== 'false') return { code: 400, body: badRequest(`force: Invalid value: "${force}": must be true or false`) };
  if (a.body === undefined) return { code: 413, body: status(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728') };
  return undefined;
}

/** The applied configuration, checked against the URL (kind, apiVersion, name), or the answer refusing it. */
function appliedObject(a: ApplyRequest, body: string): { object: ApiObject } | { refused: Answer } {
  let config: unknown;
  try {
    config = parse(body, { maxAliasCount: 10 });
  } catch (err) {
    return { refused: { code: 400, body: badRequest(`error decoding YAML: ${(err as Error).message.split('\n')[0]}`) } };
  }
  if (!isRecord(config)) return { refused: { code: 400, body: badRequest('error decoding YAML: the body is not an object') } };
  const md = isRecord(config.metadata) ? config.metadata : {};
  if (config.apiVersion !== groupVersionOf(a.type) || config.kind !== a.type.kind) {
    return { refused: { code: 400, body: badRequest(`the body's apiVersion and kind (${String(config.apiVersion)}, ${String(config.kind)}) are not ${groupVersionOf(a.type)}, ${a.type.kind}`) } };
  }
  if (md.name !== undefined && md.name !== a.name) return { refused: { code: 400, body: badRequest(`the name of the object (${String(md.name)}) does not match the name on the URL (${a.name})`) } };
  if (config.spec !== undefined && !isRecord(config.spec)) return { refused: invalid(a.type, a.name, 'spec: Invalid value: must be an object') };
  return { object: { ...config, metadata: { ...md, name: a.name } } };
}

export function applyAnswer(store: ObjectStore, a: ApplyRequest): Answer {
  const problem = requestProblem(a);
  if (problem) return problem;
  const applied = appliedObject(a, a.body ?? '');
  if ('refused' in applied) return applied.refused;
  const live = store.get(a.type, undefined, a.name)?.obj;
  const outcome = serverSideApply(live, applied.object, a.query.get('fieldManager') ?? '', a.query.get('force') === 'true', a.now);
  if ('conflicts' in outcome) {
    const { message, causes } = conflictMessage(outcome.conflicts, groupVersionOf(a.type));
    return { code: 409, body: status(409, 'Conflict', message, { name: a.name, group: a.type.group, kind: a.type.resource, causes }) };
  }
  const code = live ? 200 : 201;
  if (a.query.has('dryRun') || !outcome.changed) return { code, body: outcome.obj };
  return { code, body: store.put(a.type, structuredClone(outcome.obj), a.now).obj };
}
