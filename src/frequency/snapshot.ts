/**
 * The tracker on disk: one binary file, written to a temporary file, synced
 * and renamed over the last, so a crash leaves the old snapshot or the new
 * one, never half of one. A CRC-32 over the rest catches a file cut short or
 * damaged; such a file is refused whole.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { crc32 } from 'node:zlib'
import { CorruptSnapshotError } from './errors.js'
import type { TopKEntry } from './top-k.js'

const MAGIC = 0x51465054 // 'TPFQ'
const VERSION = 2
const HEADER_BYTES = 4 + 4 + 16 + 4 + 4 + 4 + 8 + 8 + 8 + 4 + 4
/** Bytes of an entry besides its multihash */
const ENTRY_BYTES = 1 + 8 + 4 + 1 + 1 + 8 + 8

export const SNAPSHOT_FILE = 'snapshot.bin'

export interface TrackerState {
  /** The node's secret hash seeds */
  seeds: Uint32Array
  sketchWidth: number
  sketchDepth: number
  sketch: Uint16Array
  /** Bits of the filter of CIDs linked from blocks we hold */
  children: Uint32Array
  lastHalving: number
  epochStart: number
  /** Sketch counts since the last halving */
  increments: number
  remote: TopKEntry[]
  local: TopKEntry[]
}

export function encodeSnapshot (state: TrackerState): Uint8Array {
  const entryBytes = (entries: TopKEntry[]): number => entries.reduce((sum, entry) => sum + ENTRY_BYTES + entry.multihash.byteLength, 0)
  const size = HEADER_BYTES + state.sketch.byteLength + state.children.byteLength + entryBytes(state.remote) + entryBytes(state.local) + 4
  const bytes = new Uint8Array(size)
  const view = new DataView(bytes.buffer)
  let offset = 0
  const u32 = (value: number): void => { view.setUint32(offset, value, true); offset += 4 }
  const f64 = (value: number): void => { view.setFloat64(offset, value, true); offset += 8 }
  const raw = (array: ArrayBufferView): void => {
    bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset)
    offset += array.byteLength
  }

  u32(MAGIC)
  u32(VERSION)
  state.seeds.forEach(seed => { u32(seed) })
  u32(state.sketchWidth)
  u32(state.sketchDepth)
  u32(state.children.length)
  f64(state.lastHalving)
  f64(state.epochStart)
  f64(state.increments)
  u32(state.remote.length)
  u32(state.local.length)
  raw(state.sketch)
  raw(state.children)

  for (const entry of [...state.remote, ...state.local]) {
    bytes[offset++] = entry.multihash.byteLength
    raw(entry.multihash)
    f64(entry.count)
    view.setInt32(offset, entry.codec, true)
    offset += 4
    bytes[offset++] = entry.flags
    bytes[offset++] = entry.sources
    f64(entry.firstSeen)
    f64(entry.lastSeen)
  }

  u32(crc32(bytes.subarray(0, offset)))
  return bytes
}

/** Throws CorruptSnapshotError for anything that is not a whole snapshot */
export function decodeSnapshot (bytes: Uint8Array, file: string): TrackerState {
  const fail = (reason: string): never => { throw new CorruptSnapshotError(file, reason) }

  if (bytes.byteLength < HEADER_BYTES + 4) {
    fail('too short')
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

  if (view.getUint32(bytes.byteLength - 4, true) !== crc32(bytes.subarray(0, bytes.byteLength - 4))) {
    fail('checksum mismatch')
  }

  let offset = 0
  const u32 = (): number => { const value = view.getUint32(offset, true); offset += 4; return value }
  const f64 = (): number => { const value = view.getFloat64(offset, true); offset += 8; return value }
  const take = (length: number): Uint8Array => {
    if (offset + length > bytes.byteLength - 4) {
      fail('cut short')
    }

    // copied, so the typed arrays are aligned and own their memory
    const part = new Uint8Array(length)
    part.set(bytes.subarray(offset, offset + length))
    offset += length
    return part
  }

  if (u32() !== MAGIC || u32() !== VERSION) {
    fail('not a snapshot of this version')
  }

  const seeds = new Uint32Array([u32(), u32(), u32(), u32()])
  const sketchWidth = u32()
  const sketchDepth = u32()
  const childWords = u32()
  const lastHalving = f64()
  const epochStart = f64()
  const increments = f64()
  const remoteCount = u32()
  const localCount = u32()
  const sketch = new Uint16Array(take(sketchWidth * sketchDepth * 2).buffer)
  const children = new Uint32Array(take(childWords * 4).buffer)
  const entries = (count: number): TopKEntry[] => Array.from({ length: count }, () => {
    const multihash = take(take(1)[0])
    const fields = take(ENTRY_BYTES - 1)
    const fieldView = new DataView(fields.buffer)
    return {
      multihash,
      count: fieldView.getFloat64(0, true),
      codec: fieldView.getInt32(8, true),
      flags: fields[12],
      sources: fields[13],
      firstSeen: fieldView.getFloat64(14, true),
      lastSeen: fieldView.getFloat64(22, true)
    }
  })
  const remote = entries(remoteCount)
  const local = entries(localCount)

  if (offset !== bytes.byteLength - 4) {
    fail('trailing bytes')
  }

  return { seeds, sketchWidth, sketchDepth, sketch, children, lastHalving, epochStart, increments, remote, local }
}

/** Write `bytes` as `dir`/snapshot.bin, atomically, readable by the owner only */
export async function writeSnapshot (dir: string, bytes: Uint8Array): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  const file = path.join(dir, SNAPSHOT_FILE)
  const temporary = `${file}.tmp`
  const handle = await fs.open(temporary, 'w', 0o600)

  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }

  await fs.rename(temporary, file)
  const directory = await fs.open(dir, 'r')

  try {
    await directory.sync()
  } finally {
    await directory.close()
  }
}

/** The snapshot's bytes, or undefined when there is none yet */
export async function readSnapshot (dir: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(path.join(dir, SNAPSHOT_FILE))
  } catch (err: any) {
    if (err.code === 'ENOENT') {
      return undefined
    }

    throw err
  }
}
