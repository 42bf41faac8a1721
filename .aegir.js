/** @type {import('aegir').PartialOptions} */
export default {
  build: {
    bundle: false
  },
  test: {
    target: ['node'],
    build: true,
    // run every test, so the summary counts them all
    bail: false
  },
  dependencyCheck: {
    ignore: ['node']
  }
}
