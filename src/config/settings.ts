/**
 * Every setting of the platform, as data: its environment variable, CLI flag, default and
 * meaning. The loader, `--help` and the README's configuration table are all derived from it.
 */
export type SettingType = 'host' | 'port' | 'path' | 'dir' | 'file' | 'postgresUrl' | 'bool' | 'int' | 'logLevel' | 'httpUrl' | 'choice' | 'text' | 'cidrList' | 'headerName';

export interface Setting {
  env: string;
  flag: string;
  type: SettingType;
  default: string | number | boolean | undefined;
  doc: string;
  min?: number;
  max?: number;
  /** never printed back (config dumps, errors) */
  secret?: boolean;
  /** the accepted values of a `choice` setting */
  choices?: readonly string[];
}

export const settings = {
  host: { env: 'OV2X_HOST', flag: '--host', type: 'host', default: '127.0.0.1', doc: 'Listen address of the OCPP endpoint (0.0.0.0 for every interface).' },
  ocppPort: { env: 'OV2X_OCPP_PORT', flag: '--ocpp-port', type: 'port', default: 9000, doc: 'TCP port of the OCPP-J WebSocket endpoint.' },
  ocppPath: { env: 'OV2X_OCPP_PATH', flag: '--ocpp-path', type: 'path', default: '/ocpp', doc: 'Path prefix; stations connect to `<prefix>/<stationId>`.' },
  dataDir: { env: 'OV2X_DATA_DIR', flag: '--data-dir', type: 'dir', default: './data', doc: 'Folder of the embedded database and the server secret.' },
  databaseUrl: { env: 'DATABASE_URL', flag: '--database-url', type: 'postgresUrl', default: undefined, secret: true, doc: 'PostgreSQL server (`postgres://…`); unset = embedded PGlite in the data folder.' },
  secretFile: { env: 'OV2X_SECRET_FILE', flag: '--secret-file', type: 'file', default: undefined, doc: 'File holding the server secret that keys station password hashes; default `<data>/server-secret` (created 0600 at first start).' },
  autoRegister: { env: 'OV2X_AUTO_REGISTER', flag: '--auto-register', type: 'bool', default: false, doc: 'Admit unknown stations (without password) and register them as Pending instead of refusing them with 404.' },
  heartbeatInterval: { env: 'OV2X_HEARTBEAT_INTERVAL', flag: '--heartbeat-interval', type: 'int', min: 10, max: 86400, default: 300, doc: 'Heartbeat interval (s) given to stations in the BootNotification response.' },
  pingInterval: { env: 'OV2X_PING_INTERVAL', flag: '--ping-interval', type: 'int', min: 0, max: 3600, default: 30, doc: 'WebSocket ping interval (s); a socket without pong for two intervals is closed. 0 disables.' },
  callTimeout: { env: 'OV2X_CALL_TIMEOUT_MS', flag: '--call-timeout', type: 'int', min: 100, max: 600000, default: 30000, doc: 'How long (ms) a command waits for the station\'s answer.' },
  handshakeTimeout: { env: 'OV2X_HANDSHAKE_TIMEOUT_MS', flag: '--handshake-timeout', type: 'int', min: 100, max: 120000, default: 10000, doc: 'A connection that has not completed its WebSocket upgrade within this time (ms) is dropped.' },
  maxFrameBytes: { env: 'OV2X_MAX_FRAME_BYTES', flag: '--max-frame-bytes', type: 'int', min: 1024, max: 16777216, default: 131072, doc: 'Largest accepted WebSocket message; larger ones close the connection with 1009.' },
  maxJsonDepth: { env: 'OV2X_MAX_JSON_DEPTH', flag: '--max-json-depth', type: 'int', min: 4, max: 256, default: 24, doc: 'Deepest JSON nesting accepted in a frame (deeper frames get a CALLERROR).' },
  writeBatch: { env: 'OV2X_WRITE_BATCH', flag: '--write-batch', type: 'int', min: 1, max: 10000, default: 500, doc: 'Most rows of high-rate data (meter values, status) written in one statement.' },
  writeFlushMs: { env: 'OV2X_WRITE_FLUSH_MS', flag: '--write-flush-ms', type: 'int', min: 0, max: 1000, default: 4, doc: 'Longest wait (ms) before a partial batch of high-rate data is written.' },
  pgliteWorker: { env: 'OV2X_PGLITE_WORKER', flag: '--pglite-worker', type: 'bool', default: true, doc: 'Run the embedded database in a worker thread, so its statements never block the OCPP event loop (false: on the event loop).' },
  logLevel: { env: 'OV2X_LOG_LEVEL', flag: '--log-level', type: 'logLevel', default: 'info', doc: 'fatal, error, warn, info, debug, trace or silent. Logs are ECS JSON on stdout.' },
  zombieGrace: { env: 'OV2X_ZOMBIE_GRACE_S', flag: '--zombie-grace', type: 'int', min: 0, max: 86400, default: 120, doc: 'After a station reboots (accepted BootNotification), its transactions still open and silent for this long (s) are closed with reason StationRebooted.' },
  publicUrl: { env: 'OV2X_PUBLIC_URL', flag: '--public-url', type: 'httpUrl', default: undefined, doc: 'Base URL (`http(s)://host[:port]`) stations use for firmware downloads and log uploads; default derived from host and port.' },
  transferTtl: { env: 'OV2X_TRANSFER_TTL_S', flag: '--transfer-ttl', type: 'int', min: 60, max: 604800, default: 3600, doc: 'Lifetime (s) of a file-transfer URL given to a station (firmware download, log upload).' },
  maxUploadBytes: { env: 'OV2X_MAX_UPLOAD_BYTES', flag: '--max-upload-bytes', type: 'int', min: 1024, max: 2147483647, default: 52428800, doc: 'Largest log or diagnostics file a station may upload; larger uploads get 413.' },
  transferTimeout: { env: 'OV2X_TRANSFER_TIMEOUT_MS', flag: '--transfer-timeout', type: 'int', min: 1000, max: 3600000, default: 300000, doc: 'Longest time (ms) one HTTP request (an upload body included) may take; request heads stay bound by the handshake timeout.' },
  iso15118Provider: { env: 'OV2X_ISO15118_PROVIDER', flag: '--iso15118-provider', type: 'choice', choices: ['builtin', 'http', 'none'], default: 'builtin', doc: 'ISO 15118 Plug & Charge back end: `builtin` (OCSP from the platform\'s responder at `/pki/ocsp` and its local V2G/MO test PKI; EV certificate requests answered Failed, no EXI codec), `http` (EV certificate requests forwarded to `OV2X_ISO15118_PROVIDER_URL`, OCSP as builtin) or `none`.' },
  iso15118ProviderUrl: { env: 'OV2X_ISO15118_PROVIDER_URL', flag: '--iso15118-provider-url', type: 'httpUrl', default: undefined, doc: 'Contract certificate service of the `http` provider: receives `{stationId, iso15118SchemaVersion, action, exiRequest}` as JSON and answers `{exiResponse}`.' },
  iso15118ProviderTimeout: { env: 'OV2X_ISO15118_PROVIDER_TIMEOUT_MS', flag: '--iso15118-provider-timeout', type: 'int', min: 100, max: 120000, default: 10000, doc: 'Longest wait (ms) for the contract certificate service or an external OCSP responder.' },
  ocspResponderHosts: { env: 'OV2X_OCSP_RESPONDER_HOSTS', flag: '--ocsp-responder-hosts', type: 'text', default: undefined, doc: 'Comma-separated host names of external OCSP responders the platform may ask for a station\'s GetCertificateStatus; unset = only its own responder (a station-given URL is never fetched unless its host is listed).' },
  tlsPort: { env: 'OV2X_TLS_PORT', flag: '--tls-port', type: 'port', default: undefined, doc: 'TCP port of the TLS listener (wss:// for stations, https:// for the API), serving the same OCPP endpoint and HTTP routes as the plain port; unset = no TLS.' },
  tlsCert: { env: 'OV2X_TLS_CERT', flag: '--tls-cert', type: 'file', default: undefined, doc: 'PEM file of the server certificate chain (leaf first) for the TLS listener; reloaded when it changes.' },
  tlsKey: { env: 'OV2X_TLS_KEY', flag: '--tls-key', type: 'file', default: undefined, doc: 'PEM file of the server certificate\'s private key; reloaded when it changes.' },
  tlsClientCa: { env: 'OV2X_TLS_CLIENT_CA', flag: '--tls-client-ca', type: 'file', default: undefined, doc: 'PEM bundle of the CSMS/CPO root(s) station client certificates must chain to (security profile 3); unset = no client certificates accepted.' },
  cpoOrganization: { env: 'OV2X_CPO_ORGANIZATION', flag: '--cpo-organization', type: 'text', default: undefined, doc: 'The organization (O) a station client certificate must carry; unset = not checked.' },
  tlsPlain: { env: 'OV2X_TLS_PLAIN', flag: '--tls-plain', type: 'bool', default: true, doc: 'With a TLS port set, whether the plain port (security profile 1, http://) stays open as well.' },
  trustedProxies: { env: 'OV2X_TRUSTED_PROXIES', flag: '--trusted-proxies', type: 'cidrList', default: undefined, doc: 'Comma-separated IP addresses or CIDR ranges of TLS-terminating proxies; their requests count as TLS and their client-certificate header is trusted.' },
  clientCertHeader: { env: 'OV2X_CLIENT_CERT_HEADER', flag: '--client-cert-header', type: 'headerName', default: undefined, doc: 'Request header in which a trusted proxy forwards the station\'s client certificate as URL-encoded PEM (e.g. `x-client-cert` with nginx `$ssl_client_escaped_cert`).' },
  stationCertDays: { env: 'OV2X_STATION_CERT_DAYS', flag: '--station-cert-days', type: 'int', min: 1, max: 3650, default: 365, doc: 'Validity (days) of station and V2G certificates the CPO sub-CA signs (never beyond the sub-CA\'s own).' },
  certRenewDays: { env: 'OV2X_CERT_RENEW_DAYS', flag: '--cert-renew-days', type: 'int', min: 1, max: 365, default: 30, doc: 'Stations whose certificate expires within this many days are asked (once a day) to renew it.' },
  sessionIdle: { env: 'OV2X_SESSION_IDLE_S', flag: '--session-idle', type: 'int', min: 60, max: 86400, default: 900, doc: 'An API/portal session unused for this long (s) ends.' },
  sessionMax: { env: 'OV2X_SESSION_MAX_S', flag: '--session-max', type: 'int', min: 300, max: 604800, default: 28800, doc: 'Every API/portal session ends this long (s) after login, however active.' },
  loginMaxFailures: { env: 'OV2X_LOGIN_MAX_FAILURES', flag: '--login-max-failures', type: 'int', min: 1, max: 100, default: 5, doc: 'Failed logins in a row after which an account locks.' },
  loginLockout: { env: 'OV2X_LOGIN_LOCKOUT_S', flag: '--login-lockout', type: 'int', min: 1, max: 86400, default: 60, doc: 'First lock (s) after too many failed logins; each further failure doubles it, up to an hour.' },
  ldapUrl: { env: 'OV2X_LDAP_URL', flag: '--ldap-url', type: 'text', default: undefined, doc: 'LDAP directory for user login (`ldaps://host[:port]`, or `ldap://host[:port]` with StartTLS or on this host); unset = local accounts only. Users unknown locally, and LDAP users, log in against it.' },
  ldapBindDn: { env: 'OV2X_LDAP_BIND_DN', flag: '--ldap-bind-dn', type: 'text', default: undefined, doc: 'DN of the service account that searches users and groups; unset = anonymous search.' },
  ldapBindPassword: { env: 'OV2X_LDAP_BIND_PASSWORD', flag: '--ldap-bind-password', type: 'text', default: undefined, secret: true, doc: 'Password of the LDAP service account.' },
  ldapBaseDn: { env: 'OV2X_LDAP_BASE_DN', flag: '--ldap-base-dn', type: 'text', default: undefined, doc: 'Subtree searched for users (required with `OV2X_LDAP_URL`).' },
  ldapUserFilter: { env: 'OV2X_LDAP_USER_FILTER', flag: '--ldap-user-filter', type: 'text', default: '(uid={username})', doc: 'Filter that finds exactly one user; `{username}` is replaced by the login name, escaped per RFC 4515.' },
  ldapGroupBaseDn: { env: 'OV2X_LDAP_GROUP_BASE_DN', flag: '--ldap-group-base-dn', type: 'text', default: undefined, doc: 'Subtree searched for the user\'s groups with `OV2X_LDAP_GROUP_FILTER`; unset = the user entry\'s `memberOf` attribute.' },
  ldapGroupFilter: { env: 'OV2X_LDAP_GROUP_FILTER', flag: '--ldap-group-filter', type: 'text', default: '(member={dn})', doc: 'Filter for the user\'s groups; `{dn}` (user DN) and `{username}` are replaced, escaped per RFC 4515.' },
  ldapRoleMap: { env: 'OV2X_LDAP_ROLE_MAP', flag: '--ldap-role-map', type: 'text', default: undefined, doc: 'Group → roles: `<group>=><role>[,<role>]` entries separated by `;`, the group as DN or CN (e.g. `cn=ov2x-admins,ou=groups,dc=example,dc=org=>admin;ov2x-cpo=>cpo_manager`). A user in no mapped group cannot log in.' },
  ldapScopeMap: { env: 'OV2X_LDAP_SCOPE_MAP', flag: '--ldap-scope-map', type: 'text', default: undefined, doc: 'Group → station groups, same syntax (`*` = every station); when set, a user in no listed group sees no station. Unset = every station.' },
  ldapStartTls: { env: 'OV2X_LDAP_STARTTLS', flag: '--ldap-starttls', type: 'bool', default: false, doc: 'Upgrade an `ldap://` connection with StartTLS before binding (the certificate is always verified).' },
  ldapCaFile: { env: 'OV2X_LDAP_CA_FILE', flag: '--ldap-ca-file', type: 'file', default: undefined, doc: 'PEM bundle of the CA(s) the directory\'s certificate must chain to (LDAPS/StartTLS); unset = the system\'s CAs.' },
  ldapConnectTimeout: { env: 'OV2X_LDAP_CONNECT_TIMEOUT_MS', flag: '--ldap-connect-timeout', type: 'int', min: 100, max: 60000, default: 3000, doc: 'Longest wait (ms) for a connection to the directory (the TLS handshake of ldaps:// included); a whole login is cut off after this plus four operation timeouts.' },
  ldapTimeout: { env: 'OV2X_LDAP_TIMEOUT_MS', flag: '--ldap-timeout', type: 'int', min: 100, max: 60000, default: 5000, doc: 'Longest wait (ms) for one LDAP operation (bind, search).' },
  ldapRefresh: { env: 'OV2X_LDAP_REFRESH_S', flag: '--ldap-refresh', type: 'int', min: 0, max: 86400, default: 300, doc: 'An LDAP user\'s roles and scope are re-read from the directory when older than this (s), so group changes reach open sessions; 0 = at every request. A user gone from the directory or from every mapped group loses their sessions.' },
  apiKeyMaxDays: { env: 'OV2X_API_KEY_MAX_DAYS', flag: '--api-key-max-days', type: 'int', min: 1, max: 3650, default: 365, doc: 'Longest lifetime (days) of an API key; every key expires and is then refused.' },
  oidcIssuer: { env: 'OV2X_OIDC_ISSUER', flag: '--oidc-issuer', type: 'text', default: undefined, doc: 'OpenID Connect: issuer URL of the external provider (e.g. `https://kc.example/realms/ov2x`), exactly as its tokens name it; its keys come from `<issuer>/.well-known/openid-configuration`. Unset = no OpenID Connect.' },
  oidcAudience: { env: 'OV2X_OIDC_AUDIENCE', flag: '--oidc-audience', type: 'text', default: undefined, doc: 'OpenID Connect: the `aud` a bearer access token must carry to be accepted by this API (required with the issuer).' },
  oidcClockSkew: { env: 'OV2X_OIDC_CLOCK_SKEW_S', flag: '--oidc-clock-skew', type: 'int', min: 0, max: 600, default: 60, doc: 'OpenID Connect: tolerated clock difference (s) with the provider when checking `exp`, `nbf` and `iat`.' },
  oidcAlgorithms: { env: 'OV2X_OIDC_ALGORITHMS', flag: '--oidc-algorithms', type: 'text', default: 'RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA,Ed25519', doc: 'OpenID Connect: accepted token signature algorithms, comma-separated; asymmetric only (`none` and HS* are refused at start).' },
  oidcRolesClaim: { env: 'OV2X_OIDC_ROLES_CLAIM', flag: '--oidc-roles-claim', type: 'text', default: 'realm_access.roles', doc: 'OpenID Connect: dotted path of the claim holding the external roles (`\\.` for a dot inside a key, e.g. `resource_access.my\\.client.roles`); an array or a space-separated string.' },
  oidcRoleMap: { env: 'OV2X_OIDC_ROLE_MAP', flag: '--oidc-role-map', type: 'text', default: undefined, doc: 'OpenID Connect: external role → OV2X role, e.g. `ov2x-admin=admin,ov2x-cpo=cpo_manager`. Unmapped external roles are ignored; a token that maps to no role gets 403.' },
  oidcGroupsClaim: { env: 'OV2X_OIDC_GROUPS_CLAIM', flag: '--oidc-groups-claim', type: 'text', default: undefined, doc: 'OpenID Connect: dotted path of the claim holding station-group ids (a leading `/` of Keycloak group paths is dropped). Set = a token without it sees no station; unset = tokens are not scoped to groups.' },
  oidcRequireMfa: { env: 'OV2X_OIDC_REQUIRE_MFA', flag: '--oidc-require-mfa', type: 'bool', default: true, doc: 'OpenID Connect: the admin role is granted only to a token whose `amr` shows a second factor (`mfa`, `otp`, `hwk`, …) or whose `acr` is listed in OV2X_OIDC_MFA_ACR; otherwise the token keeps only its other roles.' },
  oidcMfaAcr: { env: 'OV2X_OIDC_MFA_ACR', flag: '--oidc-mfa-acr', type: 'text', default: undefined, doc: 'OpenID Connect: comma-separated `acr` values that count as multi-factor (e.g. a Keycloak level of authentication `2`).' },
  oidcJwksCooldown: { env: 'OV2X_OIDC_JWKS_COOLDOWN_S', flag: '--oidc-jwks-cooldown', type: 'int', min: 0, max: 3600, default: 30, doc: 'OpenID Connect: least time (s) between two downloads of the provider keys caused by a token with an unknown key id (key rotation); bounds the load forged tokens can cause.' },
  oidcClientId: { env: 'OV2X_OIDC_CLIENT_ID', flag: '--oidc-client-id', type: 'text', default: undefined, doc: 'OpenID Connect portal login: client id at the provider; set = `GET /api/v1/auth/oidc/login` starts the authorization-code flow with PKCE.' },
  oidcClientSecret: { env: 'OV2X_OIDC_CLIENT_SECRET', flag: '--oidc-client-secret', type: 'text', default: undefined, secret: true, doc: 'OpenID Connect portal login: client secret (client_secret_basic); unset = a public client (PKCE only).' },
  oidcRedirectUrl: { env: 'OV2X_OIDC_REDIRECT_URL', flag: '--oidc-redirect-url', type: 'httpUrl', default: undefined, doc: 'OpenID Connect portal login: the callback URL registered at the provider, i.e. `<public API URL>/api/v1/auth/oidc/callback`.' },
  oidcPostLoginUrl: { env: 'OV2X_OIDC_POST_LOGIN_URL', flag: '--oidc-post-login-url', type: 'text', default: '/', doc: 'OpenID Connect portal login: where the browser goes once signed in (a path or an http(s) URL).' },
  oidcScopes: { env: 'OV2X_OIDC_SCOPES', flag: '--oidc-scopes', type: 'text', default: 'openid profile', doc: 'OpenID Connect portal login: space-separated scopes requested (must include `openid`). Roles are read from the ID token, so the provider must put the roles claim there.' },
  sseReplayEvents: { env: 'OV2X_SSE_REPLAY_EVENTS', flag: '--sse-replay-events', type: 'int', min: 0, max: 100000, default: 1000, doc: 'Recent events kept for SSE clients that reconnect with Last-Event-ID (older ones are reported as a gap).' },
  webhookAllowPrivate: { env: 'OV2X_WEBHOOK_ALLOW_PRIVATE', flag: '--webhook-allow-private', type: 'bool', default: false, doc: 'Allow webhook URLs that name or resolve to loopback, private or link-local addresses (refused by default: SSRF).' },
  webhookTimeout: { env: 'OV2X_WEBHOOK_TIMEOUT_MS', flag: '--webhook-timeout', type: 'int', min: 100, max: 120000, default: 10000, doc: 'Longest wait (ms) for a webhook receiver to answer one delivery.' },
  webhookMaxAttempts: { env: 'OV2X_WEBHOOK_MAX_ATTEMPTS', flag: '--webhook-max-attempts', type: 'int', min: 1, max: 20, default: 6, doc: 'Attempts per webhook delivery (the first included) before it is given up.' },
  webhookRetryBase: { env: 'OV2X_WEBHOOK_RETRY_BASE_MS', flag: '--webhook-retry-base', type: 'int', min: 10, max: 600000, default: 1000, doc: 'Wait (ms) before the first webhook retry; doubled for each further one, up to 10 minutes.' },
  switchingLimits: { env: 'OV2X_SWITCHING_LIMITS', flag: '--switching-limits', type: 'text', default: undefined, doc: 'Switching limits (AC2) per role as JSON, replacing the built-in ones of the roles named: `{"<role>":{"perWindow":n,"windowS":s,"maxBatch":m}}` = at most n remote start/stop, availability, reset and charging-profile commands per principal in any s seconds, and at most m stations per batch. Unset = the built-in table (`src/domain/identity/switching-limits.ts`).' },
  masterKeyFile: { env: 'OV2X_MASTER_KEY_FILE', flag: '--master-key-file', type: 'file', default: undefined, doc: 'File holding the master key (32 bytes, base64 or hex) that wraps the data keys of personal data (token UIDs). Unset = derived from the server secret (HKDF, label `ov2x:pii-master-key`). See ADR 0005.' },
  masterKeyPreviousFile: { env: 'OV2X_MASTER_KEY_PREVIOUS_FILE', flag: '--master-key-previous-file', type: 'file', default: undefined, doc: 'Master-key rotation: the previous master key file, still accepted while the platform re-wraps every data key under the new one at start (data is not re-encrypted). Remove it once a start has logged the re-wrap.' },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof settings;
