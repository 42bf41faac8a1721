/** mulberry32: the same seed gives the same sequence (a crash test's victims and moments) */
export function seeded (seed: number): (below: number) => number {
  let state = seed >>> 0
  return (below) => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below)
  }
}
