/**
 * TorPlus's own DHT protocol id: a node in loopback development mode, or one
 * misconfigured onto clearnet, can never join the public IPFS DHT and hand it
 * our peers' records
 */
export const DHT_PROTOCOL = '/torplus/kad/1.0.0'
