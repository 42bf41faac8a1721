import { expect } from 'aegir/chai'
import { parseIpfsPath } from '../../src/core/ipfs-path.js'

const CID_V1 = 'bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am'

describe('ipfs paths', () => {
  it('accepts a CID, an /ipfs/ path and an ipfs:// URL', () => {
    for (const input of [CID_V1, `/ipfs/${CID_V1}`, `ipfs://${CID_V1}`]) {
      const parsed = parseIpfsPath(input)
      expect(parsed.cid.toString()).to.equal(CID_V1)
      expect(parsed.path).to.equal('')
    }

    expect(parseIpfsPath(`/ipfs/${CID_V1}/a/b/`).path).to.equal('a/b')
  })

  it('rejects what is not a CID with a message that says what is expected', () => {
    expect(() => parseIpfsPath('not-a-cid')).to.throw(/"not-a-cid" is not a valid CID.*expected <cid>/)
    expect(() => parseIpfsPath('/ipns/example.com')).to.throw(/only \/ipfs\/ paths/)
    expect(() => parseIpfsPath('')).to.throw(/no CID given/)
  })
})
