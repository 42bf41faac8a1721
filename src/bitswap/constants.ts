/** The bitswap protocol TorPlus speaks, unchanged on the wire */
export const BITSWAP_PROTOCOL = '/ipfs/bitswap/1.2.0'
