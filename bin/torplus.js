#!/usr/bin/env node
// helia 7 and libp2p 3 need Node.js 22 or later; say so instead of crashing
const major = Number(process.versions.node.split('.')[0])

if (major < 22) {
  process.stderr.write(`Error: torplus needs Node.js 22 or later, this is ${process.version}: run it as \`npx torplus\` or through npm scripts, which use the Node.js 24 installed with the package\n`)
  process.exit(1)
}

await import('../dist/src/cli/index.js')
