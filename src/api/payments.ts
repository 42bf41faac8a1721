/**
 * The node's payment service for the APIs, or why there is none
 */
import { PaymentsUnavailableError } from '../payments/index.js'
import type { TorPlusNode } from '../node.js'
import type { PaymentService } from '../payments/index.js'

/** Throws PaymentsUnavailableError, saying what to do, when payments do not run */
export function requirePayments (node: Pick<TorPlusNode, 'services' | 'offline' | 'wallet'>): PaymentService {
  const payments = node.services.payments

  if (payments != null) {
    return payments
  }

  throw new PaymentsUnavailableError(node.offline ? 'the node is offline: start the daemon' : node.wallet.unconfigured()?.message ?? 'the node runs without payments')
}
