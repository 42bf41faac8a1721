/**
 * The one place that maps PascalCase config to camelCase component options
 */
import path from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { toStroops } from '../stellar/amounts.js'
import { parseByteSize } from './byte-size.js'
import type { Config } from './schema.js'
import type { CreditPolicyInit } from '../bitswap/credit.js'
import type { PaymentServiceInit } from '../payments/service.js'
import type { TorInit } from '../transport/tor-provider.js'
import type { BitswapOptions } from '@helia/bitswap'

export function toLibp2pAddresses (config: Config): string[] {
  return config.Addresses.Swarm
}

export function toBitswapInit (config: Config): BitswapOptions {
  const { Bitswap } = config

  return {
    sendWantlistDebounce: Bitswap.SendWantlistDebounce,
    sendBlocksDebounce: Bitswap.SendBlocksDebounce,
    maxOutgoingMessageSize: Bitswap.MaxOutgoingMessageSize,
    maxIncomingMessageSize: Bitswap.MaxOutgoingMessageSize * 2,
    messageSendTimeout: Bitswap.MessageTimeout,
    messageReceiveTimeout: Bitswap.MessageTimeout,
    sendBlocksTimeout: Bitswap.MessageTimeout
  }
}

export function toPaymentInit (config: Config, seed: Uint8Array): PaymentServiceInit {
  const { Payments } = config

  return {
    seed,
    pricePerMiB: toStroops(Payments.PricePerMiB),
    maxPricePerMiB: toStroops(Payments.MaxPricePerMiB),
    byteTolerance: parseByteSize(Payments.ByteTolerance) ?? 0n,
    payAhead: parseByteSize(Payments.PayAhead) ?? 0n,
    budgetPerPeer: toStroops(Payments.Budget.PerPeer),
    budgetTotal: toStroops(Payments.Budget.Total),
    budgetPeriod: Payments.Budget.Period,
    requestExpiry: Payments.RequestExpiry,
    requestTimeout: Payments.RequestTimeout,
    settleAmount: toStroops(Payments.SettleAmount),
    settleInterval: Payments.SettleInterval,
    channels: Payments.Channels,
    historyRetention: Payments.HistoryRetention
  }
}

export function toCreditInit (config: Config): CreditPolicyInit {
  const { Bitswap, Payments } = config

  return {
    pricePerMiB: toStroops(Payments.PricePerMiB),
    freeAllowance: Number(parseByteSize(Bitswap.FreeAllowance) ?? 0n),
    allowanceRefreshRate: Number(parseByteSize(Bitswap.AllowanceRefreshRate) ?? 0n),
    paymentThreshold: toStroops(Bitswap.PaymentThreshold),
    billAhead: toStroops(Bitswap.BillAhead),
    creditLimit: toStroops(Bitswap.CreditLimit),
    disconnectLimit: toStroops(Bitswap.DisconnectLimit),
    throttleRate: Number(parseByteSize(Bitswap.ThrottleRate) ?? 0n),
    inFlight: Bitswap.MaxOutgoingMessageSize
  }
}

/** The tor a node uses: the one `Tor.*` names, or one of its own in the repo */
export function toTorInit (config: Config, repoPath: string): TorInit {
  const { Tor } = config

  if (Tor.Mode === 'external' && Tor.ControlAddress != null && Tor.SocksAddress != null) {
    return {
      mode: 'external',
      external: {
        control: hostPort(Tor.ControlAddress),
        socks: hostPort(Tor.SocksAddress),
        password: Tor.ControlPassword ?? undefined,
        cookieFile: Tor.CookieAuthFile ?? undefined,
        bootstrapTimeout: Tor.BootstrapTimeout
      }
    }
  }

  return {
    mode: 'managed',
    managed: {
      dir: path.join(repoPath, 'tor'),
      torPath: Tor.Path,
      extraConfig: Tor.ExtraConfig,
      bootstrapTimeout: Tor.BootstrapTimeout
    }
  }
}

function hostPort (address: string): { host: string, port: number } {
  const [ip, tcp] = multiaddr(address).getComponents()
  return { host: ip.value ?? '127.0.0.1', port: Number(tcp.value) }
}

/** What add does when a request does not say: Import.* (the RPC's own arguments win) */
export function toImportDefaults (config: Config): { cidVersion: 0 | 1, rawLeaves?: boolean, chunker?: string } {
  const { Import } = config

  return {
    cidVersion: Import.CidVersion,
    rawLeaves: Import.UnixFSRawLeaves ?? undefined,
    chunker: Import.UnixFSChunker ?? undefined
  }
}
