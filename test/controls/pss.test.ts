import type { KubeObject } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { F, NOW, P, PW, SECCOMP_POD, container, cronJob, deployment, pod, snapshotOf, table, windows } from './pss-helpers.js';

/** Baseline checks: exact verdicts and evidence paths for each edge case (see pss-helpers.ts). */

table('PSS-host-network', [
  ['unset', pod({ containers: [container('app')] }), [P()]],
  ['explicit false', pod({ hostNetwork: false, containers: [container('app')] }), [P()]],
  ['true on a pod', pod({ hostNetwork: true, containers: [container('app')] }), [F(undefined, 'spec.hostNetwork', 'true')]],
  ['true in a deployment template', deployment({ hostNetwork: true, containers: [container('app')] }), [F(undefined, 'spec.template.spec.hostNetwork')]],
]);

table('PSS-host-pid', [
  ['unset', pod({ containers: [container('app')] }), [P()]],
  ['true in a cronjob', cronJob({ hostPID: true, containers: [container('app')] }), [F(undefined, 'spec.jobTemplate.spec.template.spec.hostPID', 'true')]],
]);

table('PSS-host-ipc', [
  ['explicit false', pod({ hostIPC: false, containers: [container('app')] }), [P()]],
  ['true', pod({ hostIPC: true, containers: [container('a'), container('b')] }), [F(undefined, 'spec.hostIPC')]],
]);

table('PSS-privileged', [
  ['unset and false', pod({ containers: [container('a'), container('b', { privileged: false })] }), [P('a'), P('b')]],
  [
    'privileged init container',
    pod({ initContainers: [container('init', { privileged: true })], containers: [container('app')] }),
    [P('app'), F('init', 'spec.initContainers[init].securityContext.privileged', 'true')],
  ],
  [
    'privileged ephemeral container',
    pod({ containers: [container('app')], ephemeralContainers: [container('debug', { privileged: true })] }),
    [P('app'), F('debug', 'spec.ephemeralContainers[debug].securityContext.privileged')],
  ],
]);

table('PSS-capabilities-baseline', [
  ['no capabilities', pod({ containers: [container('app')] }), [P('app')]],
  ['empty add', pod({ containers: [container('app', { capabilities: { add: [] } })] }), [P('app')]],
  ['drop only', pod({ containers: [container('app', { capabilities: { drop: ['ALL'] } })] }), [P('app')]],
  [
    'a Windows pod is not exempt, even though admission at restricted lets its override skip it (ADR 0026)',
    pod({ ...windows, containers: [container('app', { capabilities: { add: ['SYS_ADMIN'] } })] }),
    [F('app', 'spec.containers[app].securityContext.capabilities.add')],
  ],
  [
    'every capability of the default set',
    pod({
      containers: [
        container('app', {
          capabilities: {
            add: ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'],
          },
        }),
      ],
    }),
    [P('app')],
  ],
  ['NET_RAW', pod({ containers: [container('app', { capabilities: { add: ['NET_RAW'] } })] }), [F('app', 'spec.containers[app].securityContext.capabilities.add', '["NET_RAW"]')]],
  [
    'SYS_ADMIN among allowed ones',
    pod({ containers: [container('app', { capabilities: { add: ['CHOWN', 'SYS_ADMIN'] } })] }),
    [F('app', 'spec.containers[app].securityContext.capabilities.add', '["CHOWN","SYS_ADMIN"]')],
  ],
  ['CAP_ prefix is not the same name', pod({ containers: [container('app', { capabilities: { add: ['CAP_CHOWN'] } })] }), [F('app', 'spec.containers[app].securityContext.capabilities.add')]],
  [
    'ephemeral debug container adding SYS_PTRACE',
    pod({ containers: [container('app')], ephemeralContainers: [container('debug', { capabilities: { add: ['SYS_PTRACE'] } })] }),
    [P('app'), F('debug', 'spec.ephemeralContainers[debug].securityContext.capabilities.add')],
  ],
]);

table('PSS-host-path-volumes', [
  ['no volumes', pod({ containers: [container('app')] }), [P()]],
  ['emptyDir and hostPath: null', pod({ containers: [container('app')], volumes: [{ name: 'a', emptyDir: {} }, { name: 'b', hostPath: null }] }), [P()]],
  [
    'one hostPath',
    deployment({ containers: [container('app')], volumes: [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }] }),
    [F(undefined, 'spec.template.spec.volumes[sock].hostPath', '{"path":"/var/run/docker.sock"}')],
  ],
  [
    'two hostPaths: the list, with both',
    pod({ containers: [container('app')], volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }, { name: 'cfg', configMap: { name: 'x' } }, { name: 'etc', hostPath: { path: '/etc' } }] }),
    [F(undefined, 'spec.volumes', '{"[logs].hostPath":{"path":"/var/log"},"[etc].hostPath":{"path":"/etc"}}')],
  ],
]);

table('PSS-host-ports', [
  ['containerPort only and hostPort 0', pod({ containers: [container('app', undefined, { ports: [{ containerPort: 80 }, { containerPort: 443, hostPort: 0 }] })] }), [P('app')]],
  [
    'hostPort on the second port',
    pod({ containers: [container('app', undefined, { ports: [{ containerPort: 80 }, { containerPort: 9100, hostPort: 9100 }] })] }),
    [F('app', 'spec.containers[app].ports[1].hostPort', '9100')],
  ],
  [
    'hostPort on an init container',
    pod({ initContainers: [container('init', undefined, { ports: [{ containerPort: 53, hostPort: 53 }] })], containers: [container('app')] }),
    [P('app'), F('init', 'spec.initContainers[init].ports[0].hostPort')],
  ],
  [
    'two hostPorts on one container',
    pod({ containers: [container('app', undefined, { ports: [{ containerPort: 80, hostPort: 80 }, { containerPort: 443, hostPort: 443 }] })] }),
    [F('app', 'spec.containers[app].ports', '{"[0].hostPort":80,"[1].hostPort":443}')],
  ],
]);


table('PSS-windows-host-process', [
  ['windows pod without hostProcess', pod({ ...windows, containers: [container('app')] }), [P('app')]],
  [
    'pod-level hostProcess, inherited by every container',
    pod({ ...windows, securityContext: { windowsOptions: { hostProcess: true } }, containers: [container('a'), container('b')] }),
    [F('a', 'spec.securityContext.windowsOptions.hostProcess', 'true'), F('b', 'spec.securityContext.windowsOptions.hostProcess')],
  ],
  [
    'container-level hostProcess',
    pod({ ...windows, containers: [container('a'), container('b', { windowsOptions: { hostProcess: true } })] }),
    [P('a'), F('b', 'spec.containers[b].securityContext.windowsOptions.hostProcess')],
  ],
  [
    'pod-level true overridden by every container: still refused, on the pod',
    pod({ ...windows, securityContext: { windowsOptions: { hostProcess: true } }, containers: [container('a', { windowsOptions: { hostProcess: false } })] }),
    [P('a'), F(undefined, 'spec.securityContext.windowsOptions.hostProcess')],
  ],
]);

const AA = 'container.apparmor.security.beta.kubernetes.io/';

table('PSS-apparmor', [
  ['unset', pod({ containers: [container('app')] }), [P('app')]],
  [
    'RuntimeDefault pod, Localhost container',
    pod({ securityContext: { appArmorProfile: { type: 'RuntimeDefault' } }, containers: [container('app', { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } })] }),
    [P('app')],
  ],
  ['Unconfined container', pod({ containers: [container('app', { appArmorProfile: { type: 'Unconfined' } })] }), [F('app', 'spec.containers[app].securityContext.appArmorProfile.type', 'Unconfined')]],
  [
    'Unconfined pod, inherited',
    pod({ securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [container('app')] }),
    [F('app', 'spec.securityContext.appArmorProfile.type')],
  ],
  [
    'Unconfined pod, overridden by the container: still refused, on the pod',
    pod({ securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [container('app', { appArmorProfile: { type: 'RuntimeDefault' } })] }),
    [P('app'), F(undefined, 'spec.securityContext.appArmorProfile.type')],
  ],
  ['legacy annotation runtime/default', pod({ containers: [container('app')] }, { [`${AA}app`]: 'runtime/default' }), [P('app')]],
  ['legacy annotation localhost/ and empty', pod({ containers: [container('a'), container('b')] }, { [`${AA}a`]: 'localhost/k8s-a', [`${AA}b`]: '' }), [P('a'), P('b')]],
  [
    'legacy annotation unconfined on a pod',
    pod({ containers: [container('app')] }, { [`${AA}app`]: 'unconfined' }),
    [F('app', `metadata.annotations[${AA}app]`, 'unconfined')],
  ],
  [
    'legacy annotation unconfined on a deployment template',
    deployment({ containers: [container('app')] }, { [`${AA}app`]: 'unconfined' }),
    [F('app', `spec.template.metadata.annotations[${AA}app]`)],
  ],
  [
    'annotation overrides the pod field for its container',
    pod({ securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [container('a'), container('b')] }, { [`${AA}a`]: 'runtime/default' }),
    [P('a'), F('b', 'spec.securityContext.appArmorProfile.type')],
  ],
  [
    'unconfined annotation naming no container: refused, on the pod',
    pod({ containers: [container('app')] }, { [`${AA}ghost`]: 'unconfined' }),
    [P('app'), F(undefined, `metadata.annotations[${AA}ghost]`, 'unconfined')],
  ],
]);

table('PSS-selinux', [
  ['level only', pod({ securityContext: { seLinuxOptions: { level: 's0:c1,c2' } }, containers: [container('app')] }), [P('app')]],
  ['container_t and empty type', pod({ containers: [container('a', { seLinuxOptions: { type: 'container_t' } }), container('b', { seLinuxOptions: { type: '' } })] }), [P('a'), P('b')]],
  ['container_engine_t (policy 1.31)', pod({ containers: [container('app', { seLinuxOptions: { type: 'container_engine_t' } })] }), [P('app')]],
  ['spc_t on the container', pod({ containers: [container('app', { seLinuxOptions: { type: 'spc_t' } })] }), [F('app', 'spec.containers[app].securityContext.seLinuxOptions.type', 'spc_t')]],
  ['user set', pod({ containers: [container('app', { seLinuxOptions: { user: 'system_u' } })] }), [F('app', 'spec.containers[app].securityContext.seLinuxOptions.user', 'system_u')]],
  [
    'type and role: the options object, with both',
    pod({ containers: [container('app', { seLinuxOptions: { type: 'unconfined_t', role: 'system_r' } })] }),
    [F('app', 'spec.containers[app].securityContext.seLinuxOptions', '{"type":"unconfined_t","role":"system_r"}')],
  ],
  [
    'spc_t on the pod, inherited',
    deployment({ securityContext: { seLinuxOptions: { type: 'spc_t' } }, containers: [container('app')] }),
    [F('app', 'spec.template.spec.securityContext.seLinuxOptions.type')],
  ],
  [
    'spc_t on the pod, replaced by the container options: still refused, on the pod',
    pod({ securityContext: { seLinuxOptions: { type: 'spc_t' } }, containers: [container('app', { seLinuxOptions: { type: 'container_t' } })] }),
    [P('app'), F(undefined, 'spec.securityContext.seLinuxOptions.type')],
  ],
]);

table('PSS-proc-mount', [
  ['unset and Default', pod({ containers: [container('a'), container('b', { procMount: 'Default' })] }), [P('a'), P('b')]],
  ['Unmasked', pod({ containers: [container('app', { procMount: 'Unmasked' })] }), [F('app', 'spec.containers[app].securityContext.procMount', 'Unmasked')]],
  ['Unmasked with hostUsers: false (policy 1.35)', pod({ hostUsers: false, containers: [container('app', { procMount: 'Unmasked' })] }), [PW('app', 'spec.hostUsers')]],
  ['Unmasked with hostUsers: true', pod({ hostUsers: true, containers: [container('app', { procMount: 'Unmasked' })] }), [F('app', 'spec.containers[app].securityContext.procMount')]],
]);


table('PSS-seccomp-baseline', [
  ['unset', pod({ containers: [container('app')] }), [P('app')]],
  [
    'Unconfined on a Windows pod still fails (ADR 0026)',
    pod({ ...windows, containers: [container('app', { seccompProfile: { type: 'Unconfined' } })] }),
    [F('app', 'spec.containers[app].securityContext.seccompProfile.type', 'Unconfined')],
  ],
  ['RuntimeDefault and Localhost', pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [container('a'), container('b', { seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } })] }), [P('a'), P('b')]],
  [
    'Unconfined pod, inherited by every container',
    pod({ securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [container('a')], initContainers: [container('i')] }),
    [F('a', 'spec.securityContext.seccompProfile.type', 'Unconfined'), F('i', 'spec.securityContext.seccompProfile.type')],
  ],
  [
    'Unconfined container overrides a RuntimeDefault pod',
    pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [container('a', { seccompProfile: { type: 'Unconfined' } }), container('b')] }),
    [F('a', 'spec.containers[a].securityContext.seccompProfile.type'), P('b')],
  ],
  [
    'Unconfined pod overridden by every container: still refused, on the pod',
    pod({ securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [container('a', { seccompProfile: { type: 'RuntimeDefault' } })] }),
    [P('a'), F(undefined, 'spec.securityContext.seccompProfile.type')],
  ],
  [
    'legacy annotation unconfined is read where the field is unset (manifests: as clusters before 1.27)',
    pod({ containers: [container('app')] }, { [SECCOMP_POD]: 'unconfined' }),
    [F('app', 'metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]', 'Unconfined')],
  ],
  [
    'legacy container annotation unconfined on a workload template',
    deployment({ containers: [container('app')] }, { 'container.seccomp.security.alpha.kubernetes.io/app': 'unconfined' }),
    [F('app', 'spec.template.metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]', 'Unconfined')],
  ],
  ['a container field RuntimeDefault wins over an unconfined pod annotation', pod({ containers: [container('app', { seccompProfile: { type: 'RuntimeDefault' } })] }, { [SECCOMP_POD]: 'unconfined' }), [P('app')]],
]);

const SAFE_1_32 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
];
const SAFE_1_37 = [...SAFE_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

table('PSS-sysctls', [
  ['none', pod({ containers: [container('app')] }), [P()]],
  ['every sysctl of the 1.37 allow-list', pod({ securityContext: { sysctls: SAFE_1_37.map((name) => ({ name, value: '1' })) }, containers: [container('app')] }), [P()]],
  [
    'net.core.somaxconn',
    pod({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'net.core.somaxconn', value: '1024' }] }, containers: [container('app')] }),
    [F(undefined, 'spec.securityContext.sysctls', '["net.core.somaxconn"]')],
  ],
  [
    'the sysctls policy 1.37 added pass (latest policy version)',
    pod({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_slow_start_after_idle', value: '0' }, { name: 'net.ipv4.tcp_notsent_lowat', value: '16384' }] }, containers: [container('app')] }),
    [P()],
  ],
  [
    'a TCP sysctl outside the 1.37 set still fails',
    pod({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_notsent_lowat', value: '16384' }, { name: 'net.ipv4.tcp_tw_reuse', value: '1' }] }, containers: [container('app')] }),
    [F(undefined, 'spec.securityContext.sysctls', '["net.ipv4.tcp_tw_reuse"]')],
  ],
]);

table('PSS-host-probes', [
  ['probes without host, or empty host', pod({ containers: [container('app', undefined, { livenessProbe: { httpGet: { path: '/', port: 80 } }, readinessProbe: { tcpSocket: { port: 80, host: '' } } })] }), [P('app')]],
  [
    'liveness probe to the metadata service',
    pod({ containers: [container('app', undefined, { livenessProbe: { httpGet: { host: '169.254.169.254', port: 80 } } })] }),
    [F('app', 'spec.containers[app].livenessProbe.httpGet.host', '169.254.169.254')],
  ],
  [
    'preStop hook with a host on an init container',
    pod({ initContainers: [container('init', undefined, { lifecycle: { preStop: { tcpSocket: { host: 'db', port: 5432 } } } })], containers: [container('app')] }),
    [P('app'), F('init', 'spec.initContainers[init].lifecycle.preStop.tcpSocket.host', 'db')],
  ],
  [
    'startup probe and postStart hook: the container, with both',
    pod({ containers: [container('app', undefined, { startupProbe: { httpGet: { host: '10.0.0.1', port: 80 } }, lifecycle: { postStart: { httpGet: { host: 'node', port: 80 } } } })] }),
    [F('app', 'spec.containers[app]', '{"startupProbe.httpGet.host":"10.0.0.1","lifecycle.postStart.httpGet.host":"node"}')],
  ],
]);

describe('workload dedup in PSS controls', () => {
  it('judges a Deployment once, not through its ReplicaSet and Pods', () => {
    const d = deployment({ containers: [container('app', { privileged: true })] });
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'd-6c9f', namespace: 'team', ownerReferences: [{ kind: 'Deployment', name: 'd', controller: true }] },
      spec: { template: { spec: { containers: [container('app', { privileged: true })] } } },
    };
    const p: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'd-6c9f-x1', namespace: 'team', ownerReferences: [{ kind: 'ReplicaSet', name: 'd-6c9f', controller: true }] },
      spec: { containers: [container('app', { privileged: true })] },
    };
    const privileged = CONTROLS.filter((c) => c.id === 'PSS-privileged');
    const findings = evaluate(snapshotOf([d, rs, p]), privileged, NOW);
    expect(findings.map((f) => [f.status, f.resource.kind, f.resource.name, f.evidence?.path])).toEqual([
      ['fail', 'Deployment', 'd', 'spec.template.spec.containers[app].securityContext.privileged'],
    ]);
  });
});

describe('missing pod-spec evidence in PSS controls', () => {
  it('every PSS control is unknown when ReplicationControllers could not be read, PSS-privileged included', () => {
    const snapshot = snapshotOf([pod({ containers: [container('app')] })]);
    snapshot.gaps = [{ evidence: 'replicationcontrollers', reason: 'forbidden', message: 'replicationcontrollers is forbidden' }];
    const pss = CONTROLS.filter((c) => c.id.startsWith('PSS-'));
    const findings = evaluate(snapshot, pss, NOW);
    const unknownIds = new Set(findings.filter((f) => f.status === 'unknown').map((f) => f.controlId));
    expect(pss.map((c) => c.id).filter((id) => !unknownIds.has(id))).toEqual([]);
    expect(findings.find((f) => f.controlId === 'PSS-privileged' && f.status === 'unknown')?.message).toMatch(/replicationcontrollers/);
  });
});
