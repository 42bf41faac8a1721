/**
 * A benchmark's numeric command-line option: `--name N`, a positive number,
 * or the fallback
 */
export function argument (name: string, fallback: number): number {
  const value = Number(process.argv[process.argv.indexOf(name) + 1])
  return process.argv.includes(name) && value > 0 ? value : fallback
}
