/**
 * The Stellar networks a node can be paid on: their passphrases and
 * Horizon servers
 */
import { Networks } from '@stellar/stellar-sdk'

export type StellarNetwork = 'devnet' | 'testnet' | 'public'

/** The passphrase of the devnet's local ledger */
export const DEVNET_PASSPHRASE = 'TorPlus devnet ledger'

export const PASSPHRASES: Record<StellarNetwork, string> = {
  devnet: DEVNET_PASSPHRASE,
  testnet: Networks.TESTNET,
  public: Networks.PUBLIC
}

/** Each network's own Horizon; the devnet's comes from `devnet up` */
export const DEFAULT_HORIZON: Record<StellarNetwork, string | undefined> = {
  devnet: undefined,
  testnet: 'https://horizon-testnet.stellar.org',
  public: 'https://horizon.stellar.org'
}
