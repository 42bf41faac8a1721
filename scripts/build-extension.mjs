/**
 * Build the browser extension: type-check it, bundle each of its scripts
 * (the node's name routing and PAC rules included) into extension/dist/
 * beside its manifest, pages and style, and zip that folder for the store.
 * No network at build time or at runtime: everything it runs is bundled.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { zipSync } from 'fflate'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'extension')
const dist = path.join(root, 'dist')
const entries = ['background', 'popup', 'options', 'error-page', 'resolving-page']
/** Entry file → the script its page loads */
const outputs = { 'error-page': 'error', 'resolving-page': 'resolving' }

execFileSync(process.execPath, [path.join(root, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' })

await fs.rm(dist, { recursive: true, force: true })
await fs.mkdir(dist, { recursive: true })

await build({
  entryPoints: Object.fromEntries(entries.map(entry => [outputs[entry] ?? entry, path.join(root, 'src', `${entry}.ts`)])),
  outdir: dist,
  bundle: true,
  format: 'esm',
  target: 'chrome120',
  platform: 'browser',
  sourcemap: false,
  logLevel: 'warning'
})

await fs.copyFile(path.join(root, 'manifest.json'), path.join(dist, 'manifest.json'))

for (const file of await fs.readdir(path.join(root, 'static'))) {
  await fs.copyFile(path.join(root, 'static', file), path.join(dist, file))
}

const files = {}

for (const file of (await fs.readdir(dist)).sort()) {
  // a fixed time: the same sources give the same zip
  files[file] = [await fs.readFile(path.join(dist, file)), { mtime: new Date('2026-01-01T00:00:00Z') }]
}

const { version } = JSON.parse(await fs.readFile(path.join(root, 'manifest.json'), 'utf8'))
await fs.writeFile(path.join(root, `torplus-extension-${version}.zip`), zipSync(files, { level: 9 }))
console.log(`extension: ${path.relative(process.cwd(), dist)}/ (load unpacked) and extension/torplus-extension-${version}.zip`)
