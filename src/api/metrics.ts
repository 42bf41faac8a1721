/**
 * GET /debug/metrics/prometheus, at Kubo's path on the RPC API's port
 */
import { Hono } from 'hono'
import type { TorPlusNode } from '../node.js'

export function metricsRoutes (node: TorPlusNode): Hono {
  const app = new Hono()

  app.get('/debug/metrics/prometheus', async (c) => {
    return c.body(await node.registry.metrics(), 200, { 'Content-Type': node.registry.contentType })
  })

  return app
}
