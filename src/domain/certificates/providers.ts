import type { CertificateHashDataRef, SignedCertificateType } from '../commands.js';

/**
 * Signs station CSRs. Implemented by the CPO sub-CA (a later issue); the CSR it gets has
 * already been parsed, its signature verified and its subject checked against the station.
 */
export interface CertificateSigner {
  /** The PEM chain to deliver with CertificateSigned: the signed certificate first, then its sub-CAs. */
  sign(req: { stationId: string; certificateType: SignedCertificateType; csrPem: string }): Promise<string>;
  /** Why the CSR's key is too weak for this signer's policy (the CSR is then Rejected before signing), or undefined. */
  keyProblem?(req: { certificateType: SignedCertificateType; publicKeySpki: ArrayBuffer }): string | undefined;
}

/** Answers a provider gives a station; `reason` becomes the 2.0.1 statusInfo. */
export interface ProviderAnswer {
  status: 'Accepted' | 'Failed';
  reasonCode?: string;
  additionalInfo?: string;
}

/**
 * The ISO 15118 Plug & Charge back end (contract certificates from a mobility operator's
 * provisioning service, OCSP for V2G certificates); implemented in a later issue.
 */
export interface Iso15118Provider {
  /** 2.0.1 M01/M02: forwards the EV's EXI CertificateInstallation/UpdateReq; exiResponse is the EXI answer. */
  get15118EVCertificate(req: { stationId: string; iso15118SchemaVersion: string; action: 'Install' | 'Update'; exiRequest: string }): Promise<ProviderAnswer & { exiResponse: string }>;
  /** 2.0.1 M06: the OCSP response (DER, base64) for one certificate. */
  getCertificateStatus(req: { stationId: string; certificate: CertificateHashDataRef; responderUrl: string }): Promise<ProviderAnswer & { ocspResult?: string }>;
}

const none = { status: 'Failed', reasonCode: 'NoProvider', additionalInfo: 'no ISO 15118 certificate provider is configured' } as const;

/** What the platform answers until a provider is configured: Failed, saying why. */
export const noIso15118Provider: Iso15118Provider = {
  get15118EVCertificate: () => Promise.resolve({ ...none, exiResponse: '' }),
  getCertificateStatus: () => Promise.resolve({ ...none }),
};
