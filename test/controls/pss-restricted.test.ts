import { F, NA, P, PW, SECCOMP_POD, container, deployment, pod, table, windows } from './pss-helpers.js';

/** Restricted checks: exact verdicts and evidence paths for each edge case (see pss-helpers.ts). */

table('PSS-proc-mount-restricted', [
  ['unset', pod({ hostUsers: false, containers: [container('app')] }), [P('app')]],
  ['Unmasked even with hostUsers: false', pod({ hostUsers: false, containers: [container('app', { procMount: 'Unmasked' })] }), [F('app', 'spec.containers[app].securityContext.procMount', 'Unmasked')]],
]);

table('PSS-seccomp-restricted', [
  ['RuntimeDefault on the pod covers every container', pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [container('a')], initContainers: [container('i')] }), [P('a'), P('i')]],
  ['unset everywhere', pod({ containers: [container('app')] }), [F('app', 'spec.containers[app].securityContext.seccompProfile.type', '<unset>')]],
  [
    'set on one container only',
    pod({ containers: [container('a', { seccompProfile: { type: 'Localhost', localhostProfile: 'a.json' } }), container('b')] }),
    [P('a'), F('b', 'spec.containers[b].securityContext.seccompProfile.type')],
  ],
  [
    'ephemeral container without profile',
    pod({ containers: [container('a', { seccompProfile: { type: 'RuntimeDefault' } })], ephemeralContainers: [container('debug')] }),
    [P('a'), F('debug', 'spec.ephemeralContainers[debug].securityContext.seccompProfile.type')],
  ],
  [
    'Unconfined pod overridden by every container: still refused, on the pod',
    pod({ securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [container('a', { seccompProfile: { type: 'RuntimeDefault' } })] }),
    [P('a'), F(undefined, 'spec.securityContext.seccompProfile.type', 'Unconfined')],
  ],
  ['legacy pod annotation runtime/default counts where the field is unset (API server sync before 1.27)', pod({ containers: [container('app')] }, { [SECCOMP_POD]: 'runtime/default' }), [P('app')]],
  ['legacy pod annotation docker/default counts too', pod({ containers: [container('app')] }, { [SECCOMP_POD]: 'docker/default' }), [P('app')]],
  [
    'legacy container annotation unconfined overrides the pod annotation for that container only',
    pod({ containers: [container('app'), container('side')] }, { [SECCOMP_POD]: 'runtime/default', 'container.seccomp.security.alpha.kubernetes.io/side': 'unconfined' }),
    [P('app'), F('side', 'metadata.annotations[container.seccomp.security.alpha.kubernetes.io/side]', 'Unconfined')],
  ],
  [
    'a field wins over the annotations',
    pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [container('app')] }, { [SECCOMP_POD]: 'unconfined' }),
    [P('app')],
  ],
  [
    'legacy annotations reach workload templates (pods inherit them)',
    deployment({ containers: [container('app')] }, { [SECCOMP_POD]: 'localhost/profiles/app.json' }),
    [P('app')],
  ],
  ['windows pod is exempt (policy 1.25)', pod({ ...windows, containers: [container('a'), container('b')] }), [NA('a'), NA('b')]],
]);


table('PSS-restricted-volumes', [
  [
    'every allowed source, and a volume without source (defaults to emptyDir)',
    pod({
      containers: [container('app')],
      volumes: [
        { name: 'a', configMap: { name: 'c' } },
        { name: 'b', csi: { driver: 'd' } },
        { name: 'c', downwardAPI: { items: [] } },
        { name: 'd', emptyDir: {} },
        { name: 'e', ephemeral: { volumeClaimTemplate: { spec: {} } } },
        { name: 'f', image: { reference: 'registry.example.com/data:1' } },
        { name: 'g', persistentVolumeClaim: { claimName: 'pvc' } },
        { name: 'h', projected: { sources: [] } },
        { name: 'i', secret: { secretName: 's' } },
        { name: 'j' },
      ],
    }),
    [P()],
  ],
  ['nfs', pod({ containers: [container('app')], volumes: [{ name: 'share', nfs: { server: 'nas', path: '/x' } }] }), [F(undefined, 'spec.volumes[share].nfs')]],
  ['hostPath', deployment({ containers: [container('app')], volumes: [{ name: 'h', hostPath: { path: '/' } }] }), [F(undefined, 'spec.template.spec.volumes[h].hostPath', '{"path":"/"}')]],
]);

table('PSS-allow-privilege-escalation', [
  ['explicit false everywhere', pod({ initContainers: [container('i', { allowPrivilegeEscalation: false })], containers: [container('a', { allowPrivilegeEscalation: false })] }), [P('a'), P('i')]],
  ['unset fails', pod({ containers: [container('app')] }), [F('app', 'spec.containers[app].securityContext.allowPrivilegeEscalation', '<unset>')]],
  ['true fails', pod({ containers: [container('app', { allowPrivilegeEscalation: true })] }), [F('app', 'spec.containers[app].securityContext.allowPrivilegeEscalation', 'true')]],
  [
    'init container left unset',
    pod({ initContainers: [container('i')], containers: [container('a', { allowPrivilegeEscalation: false })] }),
    [P('a'), F('i', 'spec.initContainers[i].securityContext.allowPrivilegeEscalation')],
  ],
  ['windows pod is exempt (policy 1.25)', pod({ ...windows, containers: [container('app')] }), [NA('app')]],
]);

table('PSS-run-as-non-root', [
  ['true on the pod, containers unset', pod({ securityContext: { runAsNonRoot: true }, containers: [container('a')], initContainers: [container('i')] }), [P('a'), P('i')]],
  ['true on every container', pod({ containers: [container('a', { runAsNonRoot: true })] }), [P('a')]],
  ['unset everywhere', pod({ containers: [container('app')] }), [F('app', 'spec.containers[app].securityContext.runAsNonRoot', '<unset>')]],
  [
    'true on the pod, false on a container',
    pod({ securityContext: { runAsNonRoot: true }, containers: [container('a'), container('b', { runAsNonRoot: false })] }),
    [P('a'), F('b', 'spec.containers[b].securityContext.runAsNonRoot', 'false')],
  ],
  ['false on the pod, inherited', pod({ securityContext: { runAsNonRoot: false }, containers: [container('a')] }), [F('a', 'spec.securityContext.runAsNonRoot', 'false')]],
  [
    'false on the pod, true on every container: still refused, on the pod',
    pod({ securityContext: { runAsNonRoot: false }, containers: [container('a', { runAsNonRoot: true })] }),
    [P('a'), F(undefined, 'spec.securityContext.runAsNonRoot', 'false')],
  ],
  ['hostUsers: false allows any value (policy 1.35)', pod({ hostUsers: false, containers: [container('a'), container('b', { runAsNonRoot: false })] }), [PW('a', 'spec.hostUsers'), PW('b', 'spec.hostUsers')]],
  ['windows pods are not exempt', pod({ ...windows, containers: [container('app')] }), [F('app', 'spec.containers[app].securityContext.runAsNonRoot')]],
]);

table('PSS-run-as-user', [
  ['unset', pod({ containers: [container('app')] }), [P('app')]],
  ['non-zero on the pod', pod({ securityContext: { runAsUser: 1000 }, containers: [container('app')] }), [P('app')]],
  ['0 on the pod, inherited', pod({ securityContext: { runAsUser: 0 }, containers: [container('a')] }), [F('a', 'spec.securityContext.runAsUser', '0')]],
  ['0 on a container overrides the pod', pod({ securityContext: { runAsUser: 1000 }, containers: [container('a', { runAsUser: 0 }), container('b')] }), [F('a', 'spec.containers[a].securityContext.runAsUser', '0'), P('b')]],
  [
    '0 on the pod, non-zero on every container: still refused, on the pod',
    pod({ securityContext: { runAsUser: 0 }, containers: [container('a', { runAsUser: 1000 })] }),
    [P('a'), F(undefined, 'spec.securityContext.runAsUser', '0')],
  ],
  ['hostUsers: false allows 0 (policy 1.35)', pod({ hostUsers: false, securityContext: { runAsUser: 0 }, containers: [container('a')] }), [PW('a', 'spec.hostUsers')]],
]);

table('PSS-capabilities-restricted', [
  ['drop ALL', pod({ containers: [container('app', { capabilities: { drop: ['ALL'] } })] }), [P('app')]],
  ['drop ALL, add NET_BIND_SERVICE', pod({ containers: [container('app', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })] }), [P('app')]],
  ['no capabilities at all', pod({ containers: [container('app')] }), [F('app', 'spec.containers[app].securityContext.capabilities.drop', '<unset>')]],
  ['lower-case all is not ALL', pod({ containers: [container('app', { capabilities: { drop: ['all'] } })] }), [F('app', 'spec.containers[app].securityContext.capabilities.drop', '["all"]')]],
  ['drop ALL, add CHOWN', pod({ containers: [container('app', { capabilities: { drop: ['ALL'], add: ['CHOWN'] } })] }), [F('app', 'spec.containers[app].securityContext.capabilities.add', '["CHOWN"]')]],
  [
    'neither: the capabilities object, with both',
    pod({ containers: [container('app', { capabilities: { drop: ['NET_RAW'], add: ['SYS_TIME'] } })] }),
    [F('app', 'spec.containers[app].securityContext.capabilities', '{"drop":["NET_RAW"],"add":["SYS_TIME"]}')],
  ],
  [
    'init container without drop',
    pod({ initContainers: [container('i')], containers: [container('a', { capabilities: { drop: ['ALL'] } })] }),
    [P('a'), F('i', 'spec.initContainers[i].securityContext.capabilities.drop')],
  ],
  ['windows pod is exempt (policy 1.25)', pod({ ...windows, containers: [container('app')] }), [NA('app')]],
]);
