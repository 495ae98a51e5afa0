/**
 * Writes one large multi-document manifest for timing `complyd evaluate`:
 * `node dist/benchmarks/huge-manifest.js OUT [MB]` (default 50 MB). Deployments with a few
 * containers each, one in five privileged, so every output format has plenty to print.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const [out, mb = '50'] = process.argv.slice(2);
if (!out) throw new Error('usage: huge-manifest.js OUT [MB]');
const target = Number(mb) * 1024 * 1024;

function deployment(i: number): string {
  const containers = [0, 1, 2]
    .map(
      (c) => `      - name: c${c}
        image: registry.example.com/team-${i % 50}/app-${c}:1.${i % 17}.${c}
        command: ["/bin/app", "--port=${8000 + c}", "--log-level=info"]
        env:
        - {name: MODE, value: production}
        - {name: REPLICA, value: "${i}"}
        resources: {limits: {cpu: 500m, memory: 256Mi}, requests: {cpu: 100m, memory: 128Mi}}
        securityContext: {privileged: ${i % 5 === 0}, allowPrivilegeEscalation: ${i % 3 === 0}, runAsNonRoot: ${i % 2 === 0}}`,
    )
    .join('\n');
  return `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ns-${i % 40}
  labels: {app: app-${i}, team: team-${i % 50}}
spec:
  replicas: 2
  selector: {matchLabels: {app: app-${i}}}
  template:
    metadata: {labels: {app: app-${i}}}
    spec:
      hostNetwork: ${i % 7 === 0}
      containers:
${containers}
`;
}

const stream = createWriteStream(out);
let written = 0;
for (let i = 0; written < target; i++) {
  const doc = deployment(i);
  written += Buffer.byteLength(doc);
  if (!stream.write(doc)) await once(stream, 'drain');
}
stream.end();
await once(stream, 'finish');
process.stdout.write(`${out}: ${written} bytes\n`);
