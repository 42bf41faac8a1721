/** @type {import('aegir').PartialOptions} */
export default {
  build: {
    bundle: false
  },
  lint: {
    files: ['*.{js,ts}', 'bin/**', 'test/**/*.{js,ts}', 'src/**/*.{js,ts}', 'extension/src/**/*.ts']
  },
  test: {
    target: ['node'],
    // run every test, so the summary counts them all; aegir's own pre-test
    // build turns --bail on, so `npm test` builds first and then asks for none
    bail: false
  },
  dependencyCheck: {
    // the Node.js 24 runtime that npm scripts use, not an import
    ignore: ['node'],
    productionIgnorePatterns: ['/test', '/bench', '/scripts', '.aegir.js']
  }
}
