// The RFC 6960 OCSP ASN.1 module, declared with @peculiar/asn1-schema (which encodes and decodes
// it) over the X.509 types of @peculiar/asn1-x509. pkijs, which ships these types, is not
// installed here, and @peculiar/asn1-ocsp neither; the declarations below follow RFC 6960 §4
// field by field. The decorators are applied as plain calls because this project compiles
// without `experimentalDecorators`.
import { AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension, Name } from '@peculiar/asn1-x509';

type IAsn1PropOptions = Parameters<typeof AsnProp>[0];

function declare<T extends object>(cls: new () => T, props: { [K in keyof T]?: IAsn1PropOptions }, choice = false): void {
  for (const [key, options] of Object.entries(props) as Array<[string, IAsn1PropOptions]>) AsnProp(options)(cls.prototype, key);
  AsnType({ type: choice ? AsnTypeTypes.Choice : AsnTypeTypes.Sequence })(cls);
}

const extensions = (context: number): IAsn1PropOptions => ({ type: Extension, repeated: 'sequence', context, optional: true });

export const id_pkix_ocsp_basic = '1.3.6.1.5.5.7.48.1.1';
export const id_pkix_ocsp_nonce = '1.3.6.1.5.5.7.48.1.2';
export const id_kp_OCSPSigning = '1.3.6.1.5.5.7.3.9';

/** OCSPResponseStatus (RFC 6960 §4.2.1) */
export const OcspResponseStatus = { successful: 0, malformedRequest: 1, internalError: 2, tryLater: 3, sigRequired: 5, unauthorized: 6 } as const;

export class CertID {
  hashAlgorithm = new AlgorithmIdentifier();
  issuerNameHash = new OctetString();
  issuerKeyHash = new OctetString();
  serialNumber = new ArrayBuffer(0);
}
declare(CertID, {
  hashAlgorithm: { type: AlgorithmIdentifier },
  issuerNameHash: { type: OctetString },
  issuerKeyHash: { type: OctetString },
  serialNumber: { type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter },
});

export class Request {
  reqCert = new CertID();
  singleRequestExtensions?: Extension[];
}
declare(Request, { reqCert: { type: CertID }, singleRequestExtensions: extensions(0) });

export class TBSRequest {
  version = 0;
  requestorName?: ArrayBuffer;
  requestList: Request[] = [];
  requestExtensions?: Extension[];
}
declare(TBSRequest, {
  version: { type: AsnPropTypes.Integer, context: 0, defaultValue: 0 },
  // a GeneralName we never look at: kept as its raw encoding
  requestorName: { type: AsnPropTypes.Any, context: 1, optional: true },
  requestList: { type: Request, repeated: 'sequence' },
  requestExtensions: extensions(2),
});

export class OcspSignature {
  signatureAlgorithm = new AlgorithmIdentifier();
  signature = new ArrayBuffer(0);
  certs?: Certificate[];
}
declare(OcspSignature, {
  signatureAlgorithm: { type: AlgorithmIdentifier },
  signature: { type: AsnPropTypes.BitString },
  certs: { type: Certificate, repeated: 'sequence', context: 0, optional: true },
});

export class OCSPRequest {
  tbsRequest = new TBSRequest();
  optionalSignature?: OcspSignature;
}
declare(OCSPRequest, { tbsRequest: { type: TBSRequest }, optionalSignature: { type: OcspSignature, context: 0, optional: true } });

export class RevokedInfo {
  revocationTime = new Date();
  revocationReason?: number;
}
declare(RevokedInfo, {
  revocationTime: { type: AsnPropTypes.GeneralizedTime },
  revocationReason: { type: AsnPropTypes.Enumerated, context: 0, optional: true },
});

export class CertStatus {
  good?: null;
  revoked?: RevokedInfo;
  unknown?: null;
}
declare(CertStatus, {
  good: { type: AsnPropTypes.Null, context: 0, implicit: true },
  revoked: { type: RevokedInfo, context: 1, implicit: true },
  unknown: { type: AsnPropTypes.Null, context: 2, implicit: true },
}, true);

export class SingleResponse {
  certID = new CertID();
  certStatus = new CertStatus();
  thisUpdate = new Date();
  nextUpdate?: Date;
  singleExtensions?: Extension[];
}
declare(SingleResponse, {
  certID: { type: CertID },
  certStatus: { type: CertStatus },
  thisUpdate: { type: AsnPropTypes.GeneralizedTime },
  nextUpdate: { type: AsnPropTypes.GeneralizedTime, context: 0, optional: true },
  singleExtensions: extensions(1),
});

export class ResponderID {
  byName?: Name;
  byKey?: OctetString;
}
declare(ResponderID, { byName: { type: Name, context: 1 }, byKey: { type: OctetString, context: 2 } }, true);

export class ResponseData {
  version = 0;
  responderID = new ResponderID();
  producedAt = new Date();
  responses: SingleResponse[] = [];
  responseExtensions?: Extension[];
}
declare(ResponseData, {
  version: { type: AsnPropTypes.Integer, context: 0, defaultValue: 0 },
  responderID: { type: ResponderID },
  producedAt: { type: AsnPropTypes.GeneralizedTime },
  responses: { type: SingleResponse, repeated: 'sequence' },
  responseExtensions: extensions(1),
});

export class BasicOCSPResponse {
  tbsResponseData = new ResponseData();
  signatureAlgorithm = new AlgorithmIdentifier();
  signature = new ArrayBuffer(0);
  certs?: Certificate[];
}
declare(BasicOCSPResponse, {
  tbsResponseData: { type: ResponseData },
  signatureAlgorithm: { type: AlgorithmIdentifier },
  signature: { type: AsnPropTypes.BitString },
  certs: { type: Certificate, repeated: 'sequence', context: 0, optional: true },
});

export class ResponseBytes {
  responseType = id_pkix_ocsp_basic;
  response = new OctetString();
}
declare(ResponseBytes, { responseType: { type: AsnPropTypes.ObjectIdentifier }, response: { type: OctetString } });

export class OCSPResponse {
  responseStatus: number = OcspResponseStatus.successful;
  responseBytes?: ResponseBytes;
}
declare(OCSPResponse, {
  responseStatus: { type: AsnPropTypes.Enumerated },
  responseBytes: { type: ResponseBytes, context: 0, optional: true },
});
