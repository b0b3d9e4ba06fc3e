import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { isSecretVariable, REDACTED_VALUE } from '../../domain/commands.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { DateTime, StationIdParam } from '../schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 50 });
const NullableStr = Type.Union([Type.String(), Type.Null()]);

const VariableView = Type.Object({
  component: Type.String({ description: '1.6 configuration keys appear under OCPP16Configuration' }),
  componentInstance: Type.String(),
  evseId: Type.Union([Type.Integer(), Type.Null()]),
  connectorId: Type.Union([Type.Integer(), Type.Null()]),
  variable: Type.String(),
  variableInstance: Type.String(),
  attributeType: Type.String(),
  value: Type.Union([Type.String(), Type.Null()], { description: 'write-only credentials are never shown' }),
  mutability: NullableStr,
  status: Type.Union([Type.String(), Type.Null()], { description: 'the station\'s last Get/SetVariables status word for it' }),
  reportedAt: DateTime,
});

const HashData = Type.Object({ hashAlgorithm: Type.String(), issuerNameHash: Type.String(), issuerKeyHash: Type.String(), serialNumber: Type.String() });
const InstalledView = Type.Composite([HashData, Type.Object({
  certificateType: Type.String({ description: 'e.g. CSMSRootCertificate, V2GRootCertificate, ManufacturerRootCertificate' }),
  childCertificates: Type.Array(HashData),
  reportedAt: DateTime,
})]);

/**
 * A station's configuration as the platform last learnt it: the 2.0.1 device model from reports
 * and Get/SetVariables answers, or the 1.6 configuration keys. Reading it sends nothing to the
 * station (GetBaseReport, GetVariables, GetConfiguration refresh it).
 */
export async function stationModelRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/stations/:stationId/variables', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['stations'], summary: 'The station\'s configuration / device-model variables as last reported',
      params: StationIdParam,
      querystring: Type.Object({ component: Type.Optional(Name), variable: Type.Optional(Name) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(VariableView) }) },
    },
  }, async (req) => {
    if (!(await ctx.services.stations.get(req.params.stationId))) throw notFound('station');
    const rows = await ctx.services.deviceModel.variables(req.params.stationId, req.query);
    return {
      items: rows.map((r) => ({
        component: r.component, componentInstance: r.componentInstance, evseId: r.evseId, connectorId: r.connectorId,
        variable: r.variable, variableInstance: r.variableInstance, attributeType: r.attributeType,
        // never stored in the first place; a second guard all the same
        value: isSecretVariable(r.component, r.variable) && r.value !== null ? REDACTED_VALUE : r.value,
        mutability: r.mutability, status: r.status, reportedAt: r.reportedAt.toISOString(),
      })),
    };
  });

  // the certificate inventory kept from GetInstalledCertificateIds answers and Install/DeleteCertificate results
  api.get('/stations/:stationId/installed-certificates', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['stations'], summary: 'The certificates installed on the station, as it last reported them',
      params: StationIdParam,
      querystring: Type.Object({ certificateType: Type.Optional(Name) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(InstalledView) }) },
    },
  }, async (req) => {
    if (!(await ctx.services.stations.get(req.params.stationId))) throw notFound('station');
    const rows = await ctx.services.certificates.installed(req.params.stationId, req.query.certificateType);
    return {
      items: rows.map((r) => ({
        certificateType: r.certificateType, hashAlgorithm: r.hashAlgorithm, issuerNameHash: r.issuerNameHash, issuerKeyHash: r.issuerKeyHash,
        serialNumber: r.serialNumber, childCertificates: r.childCertificates ?? [], reportedAt: r.reportedAt.toISOString(),
      })),
    };
  });
}
