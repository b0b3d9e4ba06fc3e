import type { FastifyPluginAsync } from 'fastify';

export interface HealthOptions {
  /** facts worth showing a load balancer (no secrets) */
  facts(): Record<string, unknown>;
}

/** GET /health: liveness for load balancers and the CLI. */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, o) => {
  app.get('/health', async () => ({ status: 'ok', ...o.facts() }));
};
