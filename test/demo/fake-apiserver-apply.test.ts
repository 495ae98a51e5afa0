/**
 * Server-side apply on the fake API server, as the API documents it: fieldManager required,
 * 201 then 200, dryRun=All stores nothing, managedFields per manager, 409 Conflict with its
 * causes unless force, 403 from a forbidden fault narrowed to the verb patch.
 */
import https from 'node:https';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';

const PATH = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/p1';
const APPLY = 'application/apply-patch+yaml';
const policy = (failurePolicy: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'p1', labels: { team: 'a' } },
  spec: { failurePolicy, validations: [{ expression: 'true' }], ...extra },
});

/** What these tests read of an answer: an object, or a Status (message). */
interface Body {
  message?: string;
  spec: Record<string, unknown>;
  metadata: { resourceVersion: string; managedFields: Array<{ manager: string; fieldsV1: { 'f:spec': object } }> };
}

let srv: FakeApiServer;
beforeAll(async () => {
  srv = await startFakeApiServer({ objects: [], tokens: { tok: 'admin', ro: 'reader' }, faults: { '*': { forbidden: true, verbs: ['patch'], users: ['reader'] } } });
});
afterAll(() => srv.close());

function send(method: string, query: string, body?: unknown, opts: { token?: string; contentType?: string } = {}): Promise<{ status: number; body: Body }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${srv.url}${PATH}${query}`,
      { method, ca: srv.caPem, agent: false, headers: { Authorization: `Bearer ${opts.token ?? 'tok'}`, ...(text ? { 'Content-Type': opts.contentType ?? APPLY } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('server-side apply', () => {
  it('refuses an apply without fieldManager (400), another patch type (415), another method (405)', async () => {
    expect((await send('PATCH', '', policy('Fail'))).status).toBe(400);
    expect((await send('PATCH', '?fieldManager=a', policy('Fail'), { contentType: 'application/merge-patch+json' })).status).toBe(415);
    expect((await send('PUT', '?fieldManager=a', policy('Fail'))).status).toBe(405);
    expect((await send('GET', '')).status).toBe(404);
  });

  it('dryRun=All answers 201 with the object and stores nothing', async () => {
    const dry = await send('PATCH', '?fieldManager=a&dryRun=All', policy('Fail'));
    expect(dry.status).toBe(201);
    expect(dry.body.spec.failurePolicy).toBe('Fail');
    expect((await send('GET', '')).status).toBe(404);
  });

  it('creates (201), shares equal values, reports a different one as a 409 with its causes, force takes it over', async () => {
    const created = await send('PATCH', '?fieldManager=a', policy('Fail'));
    expect(created.status).toBe(201);
    expect(created.body.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'a', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:failurePolicy': {}, 'f:validations': {} } } })]);
    const rv = created.body.metadata.resourceVersion;
    // The same configuration again: nothing changes, not even the resourceVersion.
    expect((await send('PATCH', '?fieldManager=a', policy('Fail'))).body.metadata.resourceVersion).toBe(rv);
    // Another manager with the same values shares them.
    expect((await send('PATCH', '?fieldManager=b', policy('Fail'))).status).toBe(200);
    const conflict = await send('PATCH', '?fieldManager=b', policy('Ignore'));
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      code: 409,
      message: 'Apply failed with 1 conflict: conflict with "a" using admissionregistration.k8s.io/v1: .spec.failurePolicy',
      details: { name: 'p1', group: 'admissionregistration.k8s.io', kind: 'validatingadmissionpolicies', causes: [{ reason: 'FieldManagerConflict', field: '.spec.failurePolicy', message: 'conflict with "a" using admissionregistration.k8s.io/v1' }] },
    });
    expect((await send('GET', '')).body.spec.failurePolicy).toBe('Fail');
    const forced = await send('PATCH', '?fieldManager=b&force=true', policy('Ignore'));
    expect(forced.status).toBe(200);
    expect(forced.body.spec.failurePolicy).toBe('Ignore');
    const owners = Object.fromEntries(forced.body.metadata.managedFields.map((m) => [m.manager, Object.keys(m.fieldsV1['f:spec'])]));
    expect(owners).toEqual({ a: ['f:validations'], b: ['f:failurePolicy', 'f:validations'] });
  });

  it('a field its manager stops applying is removed, unless another manager owns it', async () => {
    await send('PATCH', '?fieldManager=a', policy('Ignore', { auditAnnotations: [{ key: 'k', valueExpression: '"v"' }] }));
    expect((await send('GET', '')).body.spec.auditAnnotations).toHaveLength(1);
    await send('PATCH', '?fieldManager=a', policy('Ignore'));
    expect((await send('GET', '')).body.spec.auditAnnotations).toBeUndefined();
  });

  it('403 for a user whose role does not allow patch; the same user still reads', async () => {
    const denied = await send('PATCH', '?fieldManager=r', policy('Fail'), { token: 'ro' });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(
      'validatingadmissionpolicies.admissionregistration.k8s.io "p1" is forbidden: User "reader" cannot patch resource "validatingadmissionpolicies" in API group "admissionregistration.k8s.io" at the cluster scope',
    );
    expect((await send('GET', '', undefined, { token: 'ro' })).status).toBe(200);
  });
});
