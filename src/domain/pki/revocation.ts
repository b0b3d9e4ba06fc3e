/**
 * Whether a certificate has been revoked by the operator. The TLS layer asks it for every
 * client certificate (security profile 3) before admitting a station; the CPO PKI answers it
 * from its registry of issued and revoked certificates.
 */
export interface RevocationCheck {
  /** serial number as lower-case hex without leading zeros; issuer as the certificate's issuer DN */
  isRevoked(cert: { serialNumber: string; issuer: string }): Promise<boolean>;
}

/** Until a PKI is configured nothing is revoked. */
export const noRevocations: RevocationCheck = { isRevoked: () => Promise.resolve(false) };
