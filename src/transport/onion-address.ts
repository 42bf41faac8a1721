/**
 * Onion v3 addresses and keys (rend-spec-v3 section 6): the address is
 * base32(pubkey | checksum | version) with checksum = SHA3-256(".onion checksum"
 * | pubkey | version)[:2]; tor's ADD_ONION takes the expanded secret key.
 * The key is made here, so the address is known before tor runs.
 */
import { createHash, generateKeyPairSync } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { base32 } from 'multiformats/bases/base32'
import type { Multiaddr } from '@multiformats/multiaddr'

const VERSION = 3

export interface OnionKey {
  /** 56 base32 characters, without ".onion" */
  serviceId: string
  /** The form ADD_ONION takes: `ED25519-V3:<base64 of the 64-byte expanded key>` */
  privateKey: string
}

function checksum (publicKey: Uint8Array): Buffer {
  return createHash('sha3-256').update('.onion checksum').update(publicKey).update(Uint8Array.of(VERSION)).digest().subarray(0, 2)
}

export function serviceIdFromPublicKey (publicKey: Uint8Array): string {
  const bytes = Buffer.concat([publicKey, checksum(publicKey), Uint8Array.of(VERSION)])
  // multiformats' base32 is lower-case RFC 4648 without padding; drop its 'b' prefix
  return base32.encode(bytes).slice(1)
}

/**
 * Whether a 56-character service id is well formed, checksum included
 */
export function isValidServiceId (serviceId: string): boolean {
  if (!/^[a-z2-7]{56}$/.test(serviceId)) {
    return false
  }

  const bytes = base32.decode(`b${serviceId}`)
  return bytes[34] === VERSION && checksum(bytes.subarray(0, 32)).equals(bytes.subarray(32, 34))
}

/**
 * A new onion service key
 */
export function createOnionKey (): OnionKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32)
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)

  // the expanded secret key: SHA-512 of the seed, clamped (RFC 8032 5.1.5)
  const expanded = createHash('sha512').update(seed).digest()
  expanded[0] &= 248
  expanded[31] &= 127
  expanded[31] |= 64

  return { serviceId: serviceIdFromPublicKey(raw), privateKey: `ED25519-V3:${expanded.toString('base64')}` }
}

export interface OnionTarget {
  serviceId: string
  /** `<serviceId>.onion`, for SOCKS */
  host: string
  port: number
}

/**
 * Read `/onion3/<serviceId>:<port>[/p2p/...]`, or undefined if it is not one
 */
export function parseOnionMultiaddr (ma: Multiaddr): OnionTarget | undefined {
  const first = ma.getComponents()[0]

  if (first?.name !== 'onion3' || first.value == null) {
    return undefined
  }

  const [serviceId, port] = first.value.split(':')

  return { serviceId, host: `${serviceId}.onion`, port: Number(port) }
}

export function isOnion (ma: Multiaddr): boolean {
  return parseOnionMultiaddr(ma) != null
}

export function toOnionMultiaddr (serviceId: string, port: number): Multiaddr {
  return multiaddr(`/onion3/${serviceId}:${port}`)
}
