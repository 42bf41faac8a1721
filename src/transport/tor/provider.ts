/**
 * The tor a node uses: a managed tor with its data in the repo, or an
 * existing one
 */
import { ExternalTor } from './external-tor.js'
import { ManagedTor } from './managed-tor.js'
import type { ExternalTorInit } from './external-tor.js'
import type { ManagedTorInit } from './managed-tor.js'
import type { ComponentLogger } from '@libp2p/interface'

export type NodeTor = ManagedTor | ExternalTor

/** Which tor, and its options (config/to-init.ts maps `Tor.*` to it) */
export type TorInit =
  | { mode: 'external', external: Omit<ExternalTorInit, 'logger'> }
  | { mode: 'managed', managed: Omit<ManagedTorInit, 'logger'> }

export function createTor (init: TorInit, logger: ComponentLogger): NodeTor {
  return init.mode === 'external'
    ? new ExternalTor({ ...init.external, logger })
    : new ManagedTor({ ...init.managed, logger })
}
