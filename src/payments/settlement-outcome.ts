/**
 * What a settlement's outcome does to the payer's standing with us. A tab
 * that landed is income for good, and lifts a refusal. A paid tab that
 * failed (the payer's account could not fund it when it reached the ledger)
 * is rolled back to what actually landed: the bytes it paid for are unpaid
 * again, and the peer is refused past its free allowance until a payment of
 * its lands.
 */
import type { PayeeAccount, Tab } from './books/index.js'

export function afterSettlement (account: PayeeAccount, tab: Tab, landed: boolean): PayeeAccount {
  if (landed) {
    return { ...account, landed: (account.landed ?? 0n) + tab.total, refused: false }
  }

  const current = account.tab?.channel === tab.channel && account.tab.sequence === tab.sequence ? undefined : account.tab

  if (tab.transaction == null) {
    // never paid: nothing was credited against it
    return { ...account, tab: current }
  }

  const rangeStart = tab.rangeStart ?? account.paidThrough

  return {
    ...account,
    tab: current,
    paidThrough: rangeStart < account.paidThrough ? rangeStart : account.paidThrough,
    served: account.served != null && account.served > rangeStart ? rangeStart : account.served,
    forgiven: max(0n, (account.forgiven ?? 0n) - (tab.free ?? 0n)),
    received: account.received - tab.total,
    ...(tab.attention == null ? {} : { attention: (account.attention ?? 0n) - tab.attention }),
    defaulted: (account.defaulted ?? 0n) + tab.total,
    refused: true
  }
}

function max (a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
