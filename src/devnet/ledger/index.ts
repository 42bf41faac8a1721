/**
 * @packageDocumentation
 *
 * A Horizon-compatible Stellar ledger on loopback for the devnet and the
 * tests: the unmodified `Horizon.Server` of @stellar/stellar-sdk talks to it,
 * it validates and applies real transaction XDR, closes a ledger on a timer
 * and keeps its state on disk.
 */
import { NotStartedError } from '@libp2p/interface'
import { serve } from '../../http/index.js'
import { horizonApi } from './horizon-api.js'
import { Ledger } from './ledger.js'
import type { LedgerInit } from './ledger.js'
import type { HttpServer } from '../../http/index.js'
import type { Logger, Startable } from '@libp2p/interface'

export { Ledger, FRIENDBOT_AMOUNT } from './ledger.js'
export type { LedgerInit, SubmitResult } from './ledger.js'

export interface LocalLedgerInit extends LedgerInit {
  /**
   * Where the Horizon API listens
   *
   * @default '/ip4/127.0.0.1/tcp/0'
   */
  address?: string
}

export class LocalLedger implements Startable {
  readonly [Symbol.toStringTag] = 'torplus:devnet:local-ledger'
  readonly ledger: Ledger
  private readonly address: string
  private readonly log: Logger
  private server?: HttpServer

  constructor (init: LocalLedgerInit) {
    this.ledger = new Ledger(init)
    this.address = init.address ?? '/ip4/127.0.0.1/tcp/0'
    this.log = init.logger.forComponent('torplus:devnet:local-ledger')
  }

  /** http://127.0.0.1:<port>, once started */
  get url (): string {
    if (this.server == null) {
      throw new NotStartedError('the local ledger is not started')
    }

    return this.server.url
  }

  async start (): Promise<void> {
    await this.ledger.start()
    this.server = await serve(horizonApi(this.ledger), this.address, { what: 'local ledger', key: 'devnet ledger', allowNonLoopback: false, log: this.log })
    this.log('Horizon API on %s', this.server.url)
  }

  async stop (): Promise<void> {
    await this.server?.close()
    this.server = undefined
    await this.ledger.stop()
  }
}
