/**
 * The module map: which part of src/ may import which. Each module imports
 * only those below it, so none runs upward or round in a circle, and within
 * a module no file needs another at run time in a circle (type imports from
 * a module's index.ts, as libp2p's own modules do, are not run).
 */
import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'aegir/chai'

const SRC = path.resolve(process.cwd(), 'src')

/** Lowest first: a module may import only modules before it */
const LAYERS = [
  'errors.ts', 'version.ts', 'utils', 'stellar', 'transport', 'http', 'routing', 'payments', 'bitswap', 'metrics',
  'frequency', 'names', 'publish', 'attention', 'config', 'repo', 'node.ts', 'core', 'api', 'daemon.ts', 'devnet', 'cli', 'index.ts'
]

/** Narrower rules inside a module: what it may import besides itself */
const NARROW: Record<string, string[]> = {
  // a stand-in for a Stellar network, not a part of the node
  'devnet/ledger': ['errors.ts', 'utils', 'stellar', 'http']
}

interface Import { from: string, to: string, typeOnly: boolean }

function sourceFiles (dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) { return sourceFiles(file) }
    return entry.name.endsWith('.ts') ? [file] : []
  })
}

/** What a file imports from src/; type-only imports are erased, so they never run */
function imports (file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8')

  // static imports and re-exports, side-effect imports, dynamic imports
  const pattern = /^(?:import|export)(\s+type)?\b[^;'"]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/gms

  return [...text.matchAll(pattern)].map(match => ({
    from: rel(file),
    to: rel(path.resolve(path.dirname(file), (match[2] ?? match[3] ?? match[4]).replace(/\.js$/, '.ts'))),
    typeOnly: match[1] != null
  }))
}

function rel (file: string): string {
  return path.relative(SRC, file).split(path.sep).join('/')
}

/** The top-level part of src/ a file belongs to */
function moduleOf (file: string): string {
  return file.split('/')[0]
}

function allowed (from: string, to: string): boolean {
  const source = moduleOf(from)
  const target = moduleOf(to)

  for (const [prefix, may] of Object.entries(NARROW)) {
    if (from.startsWith(`${prefix}/`) && !to.startsWith(`${prefix}/`)) {
      return may.includes(target)
    }
  }

  return source === target || LAYERS.indexOf(target) < LAYERS.indexOf(source)
}

/** Cycles among files through imports that run */
function runtimeCycles (edges: Import[]): string[][] {
  const next = new Map<string, string[]>()
  for (const edge of edges.filter(edge => !edge.typeOnly)) {
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to])
  }

  const cycles: string[][] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (file: string, trail: string[]): void => {
    state.set(file, 'visiting')
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(to)), to])
      } else if (state.get(to) == null) {
        visit(to, [...trail, to])
      }
    }
    state.set(file, 'done')
  }

  for (const file of next.keys()) {
    if (state.get(file) == null) { visit(file, [file]) }
  }

  return cycles
}

describe('module map', () => {
  const files = sourceFiles(SRC)
  const edges = files.flatMap(imports)

  it('knows every module under src/', () => {
    const modules = new Set([...files.map(rel), ...edges.map(edge => edge.to)].map(moduleOf))
    expect([...modules].filter(module => !LAYERS.includes(module))).to.deep.equal([])
  })

  it('has no import from a lower module to a higher one', () => {
    const upward = edges.filter(edge => !allowed(edge.from, edge.to)).map(edge => `${edge.from} → ${edge.to}`)
    expect(upward).to.deep.equal([])
  })

  it('has no file that needs itself at run time through its imports', () => {
    expect(runtimeCycles(edges).map(cycle => cycle.join(' → '))).to.deep.equal([])
  })
})
