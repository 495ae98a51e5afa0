/** Content negotiation: full objects or PartialObjectMetadata(List), as the Accept header asks. */
import type { Answer } from './respond.js';
import { status } from './status.js';

export type Representation = 'full' | 'partial';

const ACCEPTED_MEDIA_TYPES = [
  'application/json',
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
];

/** The first media type of the Accept header this server can produce, or null (406). */
export function negotiate(accept: string | undefined, isList: boolean): Representation | null {
  if (!accept || accept.trim() === '') return 'full';
  for (const clause of accept.split(',')) {
    const [typeRaw, ...paramParts] = clause.split(';');
    const type = (typeRaw ?? '').trim().toLowerCase();
    const params: Record<string, string> = {};
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const as = params.as;
    if (as === undefined) {
      if (params.g !== undefined || params.v !== undefined) continue;
      return 'full';
    }
    if (params.g !== 'meta.k8s.io' || (params.v !== 'v1' && params.v !== 'v1beta1')) continue;
    if (isList && as === 'PartialObjectMetadataList') return 'partial';
    if (!isList && as === 'PartialObjectMetadata') return 'partial';
    // Table and anything else: not produced here; try the next clause.
  }
  return null;
}

export function notAcceptable(): Answer {
  return {
    code: 406,
    body: status(406, 'NotAcceptable', `only the following media types are accepted: ${ACCEPTED_MEDIA_TYPES.join(', ')}`),
  };
}
