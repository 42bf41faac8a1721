/**
 * Byte sizes in config files, as Kubo writes them: "10GB" is 10 * 1000^3,
 * "10GiB" is 10 * 1024^3, a bare number is bytes
 */

const UNITS: Record<string, bigint> = {
  '': 1n,
  B: 1n,
  KB: 1000n,
  MB: 1000n ** 2n,
  GB: 1000n ** 3n,
  TB: 1000n ** 4n,
  KIB: 1024n,
  MIB: 1024n ** 2n,
  GIB: 1024n ** 3n,
  TIB: 1024n ** 4n
}

const PATTERN = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/

/**
 * Parse a byte size such as `"10GB"`, `"512 MiB"` or `1048576`, returning
 * `undefined` when the text is not a size
 */
export function parseByteSize (value: string | number): bigint | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined
  }

  const match = PATTERN.exec(value)

  if (match == null) {
    return undefined
  }

  const unit = UNITS[match[2].toUpperCase()]

  return unit == null ? undefined : BigInt(match[1]) * unit
}

/**
 * Format a byte count for people, in binary units
 */
export function formatByteSize (bytes: bigint | number): string {
  let value = Number(bytes)
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let unit = 0

  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }

  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}
