/**
 * The onion that opens a payment route: a fixed-size packet of MAX_HOPS
 * slots that each hop peels with its X25519 route key, learning only what
 * its own slot says (the next peer, or that it is the payee) and nothing of
 * its position. Sphinx's construction (BOLT 4) with a fresh ephemeral key
 * per hop instead of a blinded one: a slot is `ephemeral key ‖
 * ChaCha20-Poly1305(payload)`, authenticated over the rest of the packet as
 * the hop receives it, so a change anywhere is refused by the first hop it
 * reaches; the rest is shifted one slot left and re-encrypted with a
 * ChaCha20 keystream, whose last slot becomes the sender-computed filler,
 * keeping the size fixed.
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto'
import type { KeyObject } from 'node:crypto'

/** Hops an onion has room for: a client's relays and the payee */
export const MAX_HOPS = 5

/** Bytes of a hop's payload, in the clear once peeled */
export const PAYLOAD_SIZE = 64

const KEY_SIZE = 32
const TAG_SIZE = 16
const SLOT_SIZE = KEY_SIZE + PAYLOAD_SIZE + TAG_SIZE

/** Bytes of every onion, whatever the route's length */
export const ONION_SIZE = MAX_HOPS * SLOT_SIZE

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex')

/** A route key pair: what a hop peels its slot with */
export interface RouteKey {
  /** 32 raw bytes */
  publicKey: Uint8Array
  privateKey: KeyObject
}

/** The route key of a 32-byte secret (derived from the node's seed, so it needs no file of its own) */
export function routeKeyFromSecret (secret: Uint8Array): RouteKey {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, Buffer.from(secret)]), format: 'der', type: 'pkcs8' })
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_X25519.byteLength)
  return { publicKey: new Uint8Array(publicKey), privateKey }
}

/** One hop of a route to be: its route key and what its slot tells it */
export interface OnionHop {
  routeKey: Uint8Array
  payload: Uint8Array
}

/** A peeled onion: this hop's payload, and the onion for the next hop */
export interface PeeledOnion {
  payload: Uint8Array
  next: Uint8Array
  /** The slot's ephemeral key: an onion seen twice carries the same one */
  ephemeral: Uint8Array
}

/** Build the onion for `hops`, first hop first */
export function buildOnion (hops: OnionHop[]): Uint8Array {
  if (hops.length === 0 || hops.length > MAX_HOPS) {
    throw new RangeError(`an onion has 1 to ${MAX_HOPS} hops, not ${hops.length}`)
  }

  const keys = hops.map(hop => {
    if (hop.payload.byteLength > PAYLOAD_SIZE) {
      throw new RangeError(`a hop's payload is at most ${PAYLOAD_SIZE} bytes`)
    }

    const ephemeral = generateKeyPairSync('x25519')
    const ephemeralPublic = ephemeral.publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_X25519.byteLength)
    return { ephemeralPublic, ...hopKeys(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: publicKeyObject(hop.routeKey) })) }
  })

  // what each hop's shifts leave at the end of the last hop's packet
  let filler = Buffer.alloc(0)

  for (const key of keys.slice(0, -1)) {
    const stream = keystream(key.stream)
    filler = xor(Buffer.concat([filler, Buffer.alloc(SLOT_SIZE)]), stream.subarray(ONION_SIZE - filler.byteLength - SLOT_SIZE))
  }

  // the last hop's packet: its slot, random bytes, the filler
  let packet = Buffer.concat([Buffer.alloc(SLOT_SIZE), randomBytes(ONION_SIZE - SLOT_SIZE - filler.byteLength), filler])

  for (let i = hops.length - 1; i >= 0; i--) {
    if (i < hops.length - 1) {
      // undo hop i's shift and keystream on the packet it makes for hop i + 1
      const rest = xor(packet.subarray(0, ONION_SIZE - SLOT_SIZE), keystream(keys[i].stream).subarray(0, ONION_SIZE - SLOT_SIZE))
      packet = Buffer.concat([Buffer.alloc(SLOT_SIZE), rest])
    }

    const payload = Buffer.concat([hops[i].payload, Buffer.alloc(PAYLOAD_SIZE - hops[i].payload.byteLength)])
    const sealed = seal(keys[i].aead, payload, packet.subarray(SLOT_SIZE))
    keys[i].ephemeralPublic.copy(packet, 0)
    sealed.copy(packet, KEY_SIZE)
  }

  return new Uint8Array(packet)
}

/** Peel this hop's slot; undefined when the onion is not for us or was changed */
export function peelOnion (onion: Uint8Array, key: RouteKey): PeeledOnion | undefined {
  if (onion.byteLength !== ONION_SIZE) {
    return undefined
  }

  const packet = Buffer.from(onion)
  const ephemeral = packet.subarray(0, KEY_SIZE)
  let keys: { aead: Buffer, stream: Buffer }

  try {
    keys = hopKeys(diffieHellman({ privateKey: key.privateKey, publicKey: publicKeyObject(ephemeral) }))
  } catch {
    // not a point on the curve, or a low-order one
    return undefined
  }

  const payload = open(keys.aead, packet.subarray(KEY_SIZE, SLOT_SIZE), packet.subarray(SLOT_SIZE))

  if (payload == null) {
    return undefined
  }

  const next = xor(Buffer.concat([packet.subarray(SLOT_SIZE), Buffer.alloc(SLOT_SIZE)]), keystream(keys.stream))
  return { payload: new Uint8Array(payload), next: new Uint8Array(next), ephemeral: new Uint8Array(ephemeral) }
}

function hopKeys (shared: Buffer): { aead: Buffer, stream: Buffer } {
  return {
    aead: Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), 'torplus route onion aead', KEY_SIZE)),
    stream: Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), 'torplus route onion stream', KEY_SIZE))
  }
}

function publicKeyObject (raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_X25519, Buffer.from(raw)]), format: 'der', type: 'spki' })
}

function keystream (key: Buffer): Buffer {
  // each key is used for one packet only, so a zero nonce is safe
  return createCipheriv('chacha20', key, Buffer.alloc(16)).update(Buffer.alloc(ONION_SIZE))
}

function seal (key: Buffer, payload: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, Buffer.alloc(12), { authTagLength: TAG_SIZE })
  cipher.setAAD(aad, { plaintextLength: payload.byteLength })
  return Buffer.concat([cipher.update(payload), cipher.final(), cipher.getAuthTag()])
}

function open (key: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('chacha20-poly1305', key, Buffer.alloc(12), { authTagLength: TAG_SIZE })
    decipher.setAAD(aad, { plaintextLength: PAYLOAD_SIZE })
    decipher.setAuthTag(sealed.subarray(PAYLOAD_SIZE))
    return Buffer.concat([decipher.update(sealed.subarray(0, PAYLOAD_SIZE)), decipher.final()])
  } catch {
    return undefined
  }
}

function xor (a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.byteLength)

  for (let i = 0; i < a.byteLength; i++) {
    out[i] = a[i] ^ b[i]
  }

  return out
}
