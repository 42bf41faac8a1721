/**
 * Set `key` as the newest entry of a Map kept in insertion order, and drop
 * the oldest entries past `max`: a bounded record of what was seen last
 */
export function setNewest<K, V> (map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key)
  map.set(key, value)

  for (const oldest of map.keys()) {
    if (map.size <= max) {
      break
    }

    map.delete(oldest)
  }
}
