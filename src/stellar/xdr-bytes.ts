/**
 * The bytes of an opaque XDR value: the SDK's copy of the XDR layer wraps
 * them (`toBytes()` or `value`)
 */
export function xdrBytes (value: unknown): Uint8Array {
  const wrapped = value as { toBytes?(): Uint8Array, value?: Uint8Array }
  return wrapped.toBytes?.() ?? wrapped.value ?? (value as Uint8Array)
}
