import type { KubeObject, ResourceRef } from './types.js';

/** What a finding names of an object read from a cluster: kind, namespace, name, and its apiVersion and uid where present. */
export function objectRef(object: KubeObject, defaultNamespace?: string): ResourceRef {
  const ref: ResourceRef = { kind: object.kind, name: object.metadata.name };
  const namespace = object.metadata.namespace ?? defaultNamespace;
  if (namespace) ref.namespace = namespace;
  if (object.apiVersion) ref.apiVersion = object.apiVersion;
  if (object.metadata.uid) ref.uid = object.metadata.uid;
  return ref;
}
