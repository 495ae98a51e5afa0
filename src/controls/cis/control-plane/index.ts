import type { CatalogControl } from '../../define.js';
import anonymousAuth from './apiserver-anonymous-auth.js';
import tokenAuthFile from './apiserver-token-auth-file.js';
import denyServiceExternalIps from './apiserver-deny-service-external-ips.js';
import kubeletClientCert from './apiserver-kubelet-client-cert.js';
import kubeletCertificateAuthority from './apiserver-kubelet-certificate-authority.js';
import authorizationNotAlwaysAllow from './apiserver-authorization-not-always-allow.js';
import authorizationNode from './apiserver-authorization-node.js';
import authorizationRbac from './apiserver-authorization-rbac.js';
import eventRateLimit from './apiserver-event-rate-limit.js';
import alwaysAdmit from './apiserver-always-admit.js';
import alwaysPullImages from './apiserver-always-pull-images.js';
import serviceAccountPlugin from './apiserver-service-account-plugin.js';
import namespaceLifecycle from './apiserver-namespace-lifecycle.js';
import nodeRestriction from './apiserver-node-restriction.js';
import apiserverProfiling from './apiserver-profiling.js';
import auditLogPath from './apiserver-audit-log-path.js';
import auditLogMaxage from './apiserver-audit-log-maxage.js';
import auditLogMaxbackup from './apiserver-audit-log-maxbackup.js';
import auditLogMaxsize from './apiserver-audit-log-maxsize.js';
import requestTimeout from './apiserver-request-timeout.js';
import serviceAccountLookup from './apiserver-service-account-lookup.js';
import serviceAccountKeyFile from './apiserver-service-account-key-file.js';
import etcdClientCert from './apiserver-etcd-client-cert.js';
import tlsCert from './apiserver-tls-cert.js';
import clientCa from './apiserver-client-ca.js';
import etcdCa from './apiserver-etcd-ca.js';
import encryptionProviderConfig from './apiserver-encryption-provider-config.js';
import encryptionProviders from './apiserver-encryption-providers.js';
import tlsCipherSuites from './apiserver-tls-cipher-suites.js';
import extendTokenExpiration from './apiserver-extend-token-expiration.js';
import terminatedPodGc from './controller-manager-terminated-pod-gc.js';
import controllerManagerProfiling from './controller-manager-profiling.js';
import serviceAccountCredentials from './controller-manager-service-account-credentials.js';
import serviceAccountPrivateKey from './controller-manager-service-account-private-key.js';
import rootCa from './controller-manager-root-ca.js';
import rotateServerCerts from './controller-manager-rotate-server-certs.js';
import controllerManagerBindAddress from './controller-manager-bind-address.js';
import schedulerProfiling from './scheduler-profiling.js';
import schedulerBindAddress from './scheduler-bind-address.js';
import etcdCertFile from './etcd-cert-file.js';
import etcdClientCertAuth from './etcd-client-cert-auth.js';
import etcdAutoTls from './etcd-auto-tls.js';
import etcdPeerCertFile from './etcd-peer-cert-file.js';
import etcdPeerClientCertAuth from './etcd-peer-client-cert-auth.js';
import etcdPeerAutoTls from './etcd-peer-auto-tls.js';
import etcdUniqueCa from './etcd-unique-ca.js';
import authnClientCertificates from './authn-client-certificates.js';
import authnServiceAccountTokens from './authn-service-account-tokens.js';
import authnBootstrapTokens from './authn-bootstrap-tokens.js';
import auditPolicy from './audit-policy.js';
import auditPolicyCoverage from './audit-policy-coverage.js';

/** CIS sections 1.2-1.4, 2 and 3: API server, controller manager, scheduler, etcd, control-plane configuration. In benchmark order. */
export const CONTROL_PLANE_CONTROLS: readonly CatalogControl[] = [
  // 1.2 API server
  anonymousAuth,
  tokenAuthFile,
  denyServiceExternalIps,
  kubeletClientCert,
  kubeletCertificateAuthority,
  authorizationNotAlwaysAllow,
  authorizationNode,
  authorizationRbac,
  eventRateLimit,
  alwaysAdmit,
  alwaysPullImages,
  serviceAccountPlugin,
  namespaceLifecycle,
  nodeRestriction,
  apiserverProfiling,
  auditLogPath,
  auditLogMaxage,
  auditLogMaxbackup,
  auditLogMaxsize,
  requestTimeout,
  serviceAccountLookup,
  serviceAccountKeyFile,
  etcdClientCert,
  tlsCert,
  clientCa,
  etcdCa,
  encryptionProviderConfig,
  encryptionProviders,
  tlsCipherSuites,
  extendTokenExpiration,
  // 1.3 Controller manager
  terminatedPodGc,
  controllerManagerProfiling,
  serviceAccountCredentials,
  serviceAccountPrivateKey,
  rootCa,
  rotateServerCerts,
  controllerManagerBindAddress,
  // 1.4 Scheduler
  schedulerProfiling,
  schedulerBindAddress,
  // 2 etcd
  etcdCertFile,
  etcdClientCertAuth,
  etcdAutoTls,
  etcdPeerCertFile,
  etcdPeerClientCertAuth,
  etcdPeerAutoTls,
  etcdUniqueCa,
  // 3.1 Authentication and authorization
  authnClientCertificates,
  authnServiceAccountTokens,
  authnBootstrapTokens,
  // 3.2 Logging
  auditPolicy,
  auditPolicyCoverage,
];
