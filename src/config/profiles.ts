/**
 * Named sets of config values for `init --profile`, as Kubo has
 */
import type { ConfigInput } from './schema.js'

export const PROFILES: Record<string, { describe: string, config: Partial<Record<keyof ConfigInput, unknown>> }> = {
  loopback: {
    describe: 'development mode: libp2p on loopback TCP, no tor; never for real use, peers learn nothing but 127.0.0.1',
    config: { Swarm: { OnionOnly: false } }
  }
}
